import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import { deliveredSetup } from '../support/delivered-setup';
import { defaultsOf } from '../support/fixtures';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Lambda ends an invocation at its timeout whatever it is doing, and the SQS event source mapping then
 * treats the whole batch as failed: every record comes back after the queue's visibility timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). The context's
 * getRemainingTimeInMillis (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html) says how long
 * is left; the local runtime counts it down and fails the invocation at the timeout, as Lambda does.
 */
const WORKER_TIMEOUT_MS = 9_000;
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    // A low per-instance Stripe rate and a short Stripe timeout (one call's worst case 3 × 200 ms + the
    // SDK's 0.5 s and 1 s sleeps = 2.1 s): six setups' requests take longer at 2/s than the invocation has.
    env: { STRIPE_MAX_REQUESTS_PER_SECOND: '2', STRIPE_TIMEOUT_MS: '200' },
    workerTimeoutMs: WORKER_TIMEOUT_MS,
  });
});
afterAll(() => stack.close());

describe('worker time budget', () => {
  it('a batch that cannot fit in the invocation is partly handed back, unstarted and at once, instead of timing out', async () => {
    const setups = await Promise.all(Array.from({ length: 6 }, () => deliveredSetup(stack)));
    stack.stripeStandIn.clearRequests();

    let outcome: { response?: SQSBatchResponse; error?: string; ms: number } = { ms: 0 };
    const observed = async (event: SQSEvent) => {
      const started = Date.now();
      try {
        const response = await stack.worker(event);
        outcome = { response, ms: Date.now() - started };
        return response;
      } catch (error) {
        outcome = { error: String(error), ms: Date.now() - started };
        throw error;
      }
    };
    const poll = await pollOnce(stack.sqs.client, stack.sqs.queueUrl, observed, { batchSize: 10 });
    expect(poll.received).toBe(6);
    // The invocation answered before its timeout: no "Task timed out", so no whole-batch failure.
    expect(outcome.error).toBeUndefined();
    expect(outcome.ms).toBeLessThan(WORKER_TIMEOUT_MS);

    const applied = await Promise.all(
      setups.map(async (setup) => (await defaultsOf(stack.stripe, setup.customerId)).customerDefault),
    );
    const done = setups.filter((setup, index) => applied[index] === setup.paymentMethodId);
    expect(done.length).toBeGreaterThanOrEqual(1);
    // Every record not finished was reported for redelivery, and none was left hidden for the queue's
    // visibility timeout (30 s here): the next receive gets all of them straight away.
    expect(outcome.response?.batchItemFailures).toHaveLength(6 - done.length);
    const next = await pollOnce(
      stack.sqs.client,
      stack.sqs.queueUrl,
      async () => ({ batchItemFailures: [] }),
      {
        batchSize: 10,
      },
    );
    expect(next.received).toBe(6 - done.length);
  });
});
