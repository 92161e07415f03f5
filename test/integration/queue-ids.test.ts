import { ReceiveMessageCommand, SQSServiceException } from '@aws-sdk/client-sqs';
import { type LocalSqs, startLocalSqs } from '../../dev/local-aws/sqs';
import { fifoId } from '../../functions/shared/adapters/fifo-ids';
import { createSqsDefaultChangeQueue } from '../../functions/shared/adapters/sqs-default-change-queue';
import { createSqsEventQueue } from '../../functions/shared/adapters/sqs-event-queue';
import type { Logger } from '../../functions/shared/logger';
import type { ServiceMetric } from '../../functions/shared/observability';
import { setupMetadata } from '../../functions/shared/setup-metadata';
import { buildStripeWebhookHandler } from '../../functions/stripe-webhook/handler';
import { signedWebhookEvent } from '../support/webhooks';

/*
 * SQS SendMessage: MessageGroupId and MessageDeduplicationId are "1 to 128 in length" and refused with
 * InvalidParameterValue otherwise (API reference, SendMessage; local-aws-sqs enforces the same rule). Stripe
 * ids are up to 255 characters (the ids the schemas accept), so any valid id must still be enqueued.
 */

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs({ fifo: true, queueName: 'queue-ids' });
});
afterAll(() => sqs.close());

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => quiet,
};

const longCustomer = `cus_${'C'.repeat(246)}`;

async function receiveAll() {
  const received = await sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: sqs.queueUrl,
      MaxNumberOfMessages: 10,
    }),
  );
  return received.Messages ?? [];
}

it('a setup and a change of a customer with a 250-character id are both enqueued', async () => {
  await createSqsEventQueue(sqs.client, sqs.queueUrl).enqueue({
    eventId: `evt_${'E'.repeat(240)}`,
    eventType: 'checkout.session.completed',
    setupIntentId: `seti_${'S'.repeat(245)}`,
    sessionId: `cs_test_${'X'.repeat(200)}`,
    customerId: longCustomer,
    created: 1_700_000_000,
    livemode: false,
  });
  await createSqsDefaultChangeQueue(sqs.client, sqs.queueUrl).enqueue({
    kind: 'default_change',
    changeId: `chg_${'a'.repeat(32)}`,
    action: 'make_default',
    customerId: longCustomer,
    paymentMethodId: `pm_${'P'.repeat(247)}`,
    requestedAt: Date.now(),
    livemode: false,
  });
  expect(await receiveAll()).toHaveLength(2);
  // local-aws-sqs does not return MessageGroupId; the id both adapters derive for the customer is checked here.
  expect(fifoId(longCustomer)).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(fifoId('cus_short')).toBe('cus_short');
});

it('a message SQS refuses is acknowledged to Stripe and alarmed, not retried for three days', async () => {
  const counted: ServiceMetric[] = [];
  const secret = 'whsec_queueids0123456789';
  const handler = buildStripeWebhookHandler({
    completions: { record: async () => {}, get: async () => undefined },
    recoveryQueue: {
      enqueue: async () => {
        throw new Error('no recovery event is sent here');
      },
    },
    queue: {
      enqueue: async () => {
        // As the SDK reports SendMessage's InvalidParameterValue (a client fault: no retry can succeed).
        throw new SQSServiceException({ name: 'InvalidParameterValue', $fault: 'client', $metadata: {} });
      },
    },
    signingSecrets: async () => [secret],
    webhook: { toleranceSeconds: 300 },
    stripeMode: 'test',
    log: quiet,
    metrics: { count: (metric) => counted.push(metric) },
  });
  const event = {
    id: 'evt_refused',
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: 'cs_test_refused',
        object: 'checkout.session',
        mode: 'setup',
        customer: 'cus_refused',
        setup_intent: 'seti_refused',
        metadata: setupMetadata('cus_refused', undefined, 'proof'),
      },
    },
  };
  const result = await handler(signedWebhookEvent(event, secret));
  expect(result.statusCode).toBe(200);
  expect(JSON.parse(result.body ?? '{}')).toEqual({ received: true, enqueued: false });
  expect(counted).toContain('PermanentFailures');
});
