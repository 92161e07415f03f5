import { runDuplicateStorm } from '../support/duplicate-storm';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    // The deployed shape, with short timings so a killed worker's message and claim come back quickly.
    queue: { fifo: true, visibilityTimeoutSeconds: 4, maxReceiveCount: 10 },
    env: { CLAIM_SECONDS: '2' },
  });
});
afterAll(() => stack.close());

describe('exactly one effect per setup, at scale', () => {
  it('200 sessions × 3 concurrent deliveries (half via the status path), 10 % Stripe faults (lock_timeout among them), a worker killed mid-setup', async () => {
    const report = await runDuplicateStorm(stack, {
      sessions: 200,
      deliveriesPerSession: 3,
      faultProbability: 0.1,
      killAWorker: true,
      workers: 2,
      // Failed messages come straight back: many more attempts within the test's time.
      redeliveryDelaySeconds: 0,
      timeoutMs: 150_000,
    });
    // The figures a reader wants from this run, beside the assertions.
    console.log(`duplicate storm: ${JSON.stringify(report)}`);

    expect(report.killedWorkers).toBe(1);
    expect(report.lost).toBe(0);
    expect(report.doubled).toBe(0);
    expect(report.effectsPerSession).toEqual({ min: 1, max: 1 });
    expect(report.deadLetterDepth).toBe(0);
    expect(await stack.queueDepth()).toBe(0);
  }, 240_000);
});
