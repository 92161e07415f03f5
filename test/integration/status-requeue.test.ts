import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * The status path's enqueue on a FIFO queue. Oracle: SQS SendMessage, MessageDeduplicationId — "If a message
 * with a particular message deduplication ID is sent successfully, any messages sent with the same message
 * deduplication ID are accepted successfully but aren't delivered during the 5-minute deduplication interval".
 * Stripe: a bank debit's SetupIntent is `processing` at the session's completion and sends
 * `setup_intent.succeeded` later (https://docs.stripe.com/payments/sepa-debit/set-up-payment); a webhook
 * delivery can be lost. Neither local SQS emulator (local-aws-sqs, moto) keeps a deduplication id once its
 * message is deleted, so the ids each message was sent with are compared here.
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    queue: { fifo: true, maxReceiveCount: 20, visibilityTimeoutSeconds: 30 },
  });
});
afterAll(() => stack.close());

/** The deduplication id of the message waiting in the queue, left there (visibility 0). */
async function waitingDeduplicationId(): Promise<string | undefined> {
  const { Messages } = await stack.sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.sqs.queueUrl,
      MaxNumberOfMessages: 1,
      VisibilityTimeout: 0,
      AttributeNames: ['All'],
    }),
  );
  return Messages?.[0]?.Attributes?.MessageDeduplicationId;
}

it('a bank debit that succeeds within 5 minutes, its webhook lost: the status request’s message is not dropped as the webhook’s duplicate', async () => {
  const { customer } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id });
  const debit = await completeSession(stack.stripeStandIn, created.json.id, {
    setupIntentStatus: 'processing',
  });
  await deliverSignedEvent(stack.webhookUrl, debit.event, stack.stripeStandIn.webhookSecret);
  const webhookId = await waitingDeduplicationId();
  expect(webhookId).toBeDefined();
  await stack.drainQueue({ retryDelaySeconds: 0 });
  const status = async () => (await send(`${stack.api.url}/checkout-sessions/${created.json.id}`)).json;
  expect((await status()).processing.status).toBe('pending');

  // The bank confirms a minute later; `setup_intent.succeeded` never reaches the webhook.
  await stack.stripeStandIn.settleSetupIntent(debit.setupIntent.id, 'succeeded');
  await Promise.all([status(), status(), status()]);
  expect(await stack.queueDepth()).toBe(1);
  // Sent under the webhook's id within 5 minutes, SQS would accept it and never deliver it.
  expect(await waitingDeduplicationId()).not.toBe(webhookId);

  await stack.drainQueue({ retryDelaySeconds: 0 });
  expect((await status()).processing.status).toBe('applied');
  expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(debit.paymentMethod.id);
});
