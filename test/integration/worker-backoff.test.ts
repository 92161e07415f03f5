import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startLocalLambdaRuntime } from '../../dev/local-aws/lambda-runtime';
import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { deliveredSetup } from '../support/delivered-setup';
import { defaultsOf } from '../support/fixtures';
import { queueDepth, type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Follows: Lambda's SQS error handling (a failed record is left to the queue's visibility timeout, and the
 * redrive policy dead-letters it after maxReceiveCount receives:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); ChangeMessageVisibility,
 * which sets an in-flight message's timeout from its receipt handle
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html);
 * and FIFO delivery, where an in-flight message holds back the rest of its group
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).
 * The stack's backoff runs on the tests' scale: 1 s doubling to 4 s. local-aws-sqs does not hold a FIFO
 * group back while one of its messages is in flight, so the customer's later record may be received alone
 * here; the worker's owner records keep the later setup's method the default whichever runs first.
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    queue: { fifo: true, visibilityTimeoutSeconds: 30, maxReceiveCount: 100 },
  });
});
afterAll(() => stack.close());
afterEach(() => stack.stripeStandIn.faults.clear());

/** Stripe answers 429 rate_limit to every read of these SetupIntents (the SDK does not retry it). */
function stripeRefuses(setupIntentIds: string[]) {
  for (const id of setupIntentIds) {
    stack.stripeStandIn.faults.add({ method: 'GET', path: new RegExp(id), status: 429, times: 10_000 });
  }
}

async function deadLetters(): Promise<{ body: string; reason?: string }[]> {
  const { Messages = [] } = await stack.sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.sqs.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      VisibilityTimeout: 0,
    }),
  );
  return Messages.map((message) => ({
    body: message.Body ?? '',
    reason: message.MessageAttributes?.deadLetterReason?.StringValue,
  }));
}

describe('worker backoff', () => {
  it('a record Stripe keeps refusing returns after growing delays, not the queue’s timeout, and the customer ends on their latest method once Stripe answers', async () => {
    const first = await deliveredSetup(stack);
    const owner = { customerId: first.customerId, subscriptionId: first.subscriptionId };
    const second = await deliveredSetup(stack, owner);
    stripeRefuses([first.setupIntentId]);

    const receivedAt: Record<string, number[]> = { first: [], second: [] };
    const observed = async (event: SQSEvent) => {
      for (const record of event.Records) {
        const which = record.body.includes(first.setupIntentId) ? 'first' : 'second';
        receivedAt[which]?.push(Date.now());
      }
      return stack.worker(event);
    };
    // Until its third receive (about 5 s in on this scale), allowing for a loaded machine.
    const until = Date.now() + 15_000;
    while (Date.now() < until && (receivedAt.first?.length ?? 0) < 3) {
      await pollOnce(stack.sqs.client, stack.sqs.queueUrl, observed, { batchSize: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Received again after each failure, not after the queue's 30 s visibility timeout, and less often as
    // the refusals go on (1 s, then the 4 s cap: local-aws-sqs also counts a visibility change as a receive).
    const attempts = receivedAt.first ?? [];
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    const gaps = attempts.slice(1).map((at, index) => at - (attempts[index] as number));
    expect(gaps[gaps.length - 1]).toBeGreaterThan((gaps[0] as number) + 500);

    stack.stripeStandIn.faults.clear();
    const recovered = Date.now() + 8_000;
    while (Date.now() < recovered && (await queueDepth(stack.sqs)) > 0) {
      await stack.pollOnce({ batchSize: 10, waitTimeSeconds: 1 });
    }
    expect(await queueDepth(stack.sqs)).toBe(0);
    expect((await defaultsOf(stack.stripe, owner.customerId)).customerDefault).toBe(second.paymentMethodId);
    expect(await queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl)).toBe(0);
  });

  it('a record still failing past the horizon is dead-lettered by the worker, with the reason, long before the receive count', async () => {
    const lambda = startLocalLambdaRuntime();
    const worker = lambda.invoker(
      'setup-worker',
      wireSetupWorker({ ...stack.env, DEAD_LETTER_AFTER_SECONDS: '2' }),
    );
    const setup = await deliveredSetup(stack);
    stripeRefuses([setup.setupIntentId]);
    const until = Date.now() + 8_000;
    while (Date.now() < until && (await queueDepth(stack.sqs)) > 0) {
      await pollOnce(stack.sqs.client, stack.sqs.queueUrl, worker, { batchSize: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await queueDepth(stack.sqs)).toBe(0);
    const [dead] = await deadLetters();
    expect(dead?.body).toContain(setup.setupIntentId);
    expect(dead?.reason).toBe('waited_past_horizon');
    const { Attributes } = await stack.sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.sqs.queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(100);
  });
});
