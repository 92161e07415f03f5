import { drillStackOptions, drillTimings, runOutageDrill } from '../support/outage-drill';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * A one-hour Stripe outage (every API request answers 503: https://docs.stripe.com/error-handling, the SDK
 * retries 5xx twice) on a clock compressed 360 times, against the queue settings a stack deployed from
 * cdk.json gets. Lambda's event source leaves a failed record to the queue's visibility timeout and the
 * redrive policy dead-letters it after maxReceiveCount receives
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): with the old fixed count
 * of 5 every setup of the outage was dead-lettered within minutes. Stripe retries an undelivered webhook for
 * 3 days (https://docs.stripe.com/webhooks#retries); so must the service.
 */
const COMPRESSION = 360;
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack(drillStackOptions('stripe', drillTimings(COMPRESSION)));
});
afterAll(() => stack.close());

it('a one-hour Stripe outage: every setup arriving before and during it is applied once after, none dead-lettered', async () => {
  const report = await runOutageDrill(stack, {
    kind: 'stripe',
    simulatedSeconds: 3600,
    compression: COMPRESSION,
    sessions: 9,
    workers: 2,
    recoveryTimeoutMs: 10_000,
  });
  expect(report).toMatchObject({ sessions: 9, applied: 9, deadLettered: 0, lost: 0, doubled: 0 });
  // The waiting setups kept trying through the outage (with backoff), so they were applied soon after it.
  expect(report.stripeRequestsDuringOutage).toBeGreaterThan(0);
}, 60_000);
