import { runRecoveryStorm } from '../support/recovery-storm';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * The soak's recovery phase, shorter. Oracles: https://docs.stripe.com/webhooks#event-ordering (Stripe sends
 * events in no guaranteed order and maybe more than once), https://docs.stripe.com/error-codes/lock-timeout
 * and https://docs.stripe.com/rate-limits (429s a client retries), https://docs.stripe.com/billing/testing/test-clocks.
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    queue: { fifo: true, visibilityTimeoutSeconds: 4, maxReceiveCount: 10 },
  });
});
afterAll(() => stack.close());

describe('recovery events under duplicates, out-of-order delivery and Stripe faults', () => {
  it('every queued recovery event is handled once, and every path reports its one outcome event', async () => {
    const report = await runRecoveryStorm(stack, {
      customers: 12,
      deliveries: 3,
      faultProbability: 0.2,
      workers: 2,
      seed: 7,
      timeoutMs: 60_000,
    });
    console.log(`recovery storm: ${JSON.stringify(report)}`);
    expect(report.byType).toMatchObject({
      'invoice.payment_failed': 4,
      'customer.updated': expect.any(Number),
      'customer.deleted': 4,
    });
    expect(Object.values(report.stripeFaults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    expect(report.handled).toBe(report.events);
    expect(report.lost).toBe(0);
    expect(report.doubled).toBe(0);
    expect(report.outcomeEvents).toMatchObject({
      'Payment method update needed': 4,
      'Default changed elsewhere': expect.any(Number),
    });
    expect(report.deadLetterDepth).toBe(0);
    expect(report.queueDepth).toBe(0);
  }, 120_000);
});
