import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';

/** A valid setup message, for cases that change one field. */
const message = {
  eventId: 'evt_corpus',
  eventType: 'checkout.session.completed',
  setupIntentId: 'seti_corpus',
  sessionId: 'cs_test_corpus',
  customerId: 'cus_corpus',
  created: 1_700_000_000,
  livemode: false,
};
const changed = (fields: Record<string, unknown>) => JSON.stringify({ ...message, ...fields });

/** A change message in the API's format that no change record backs (the worker must prove it first). */
const forgedChange = (fields: Record<string, unknown>) =>
  JSON.stringify({
    kind: 'default_change',
    changeId: 'chg_corpusforged',
    action: 'remove',
    customerId: 'cus_corpus',
    paymentMethodId: null,
    removing: 'pm_corpus',
    requestedAt: Date.now(),
    livemode: false,
    ...fields,
  });

/**
 * Queue bodies that did not come from the webhook's format: the worker must report or record them failed,
 * make no Stripe call and not crash.
 */
export const queueCases: [string, string][] = [
  ['a body that is not JSON', 'not json'],
  ['truncated JSON', JSON.stringify(message).slice(0, 30)],
  ['an empty body', ''],
  ['a JSON array', '[]'],
  ['JSON null', 'null'],
  ['an empty object', '{}'],
  ['an event type the worker does not handle', changed({ eventType: 'invoice.paid' })],
  ['SQL as the SetupIntent', changed({ setupIntentId: "seti_1' OR '1'='1" })],
  ['unicode as the SetupIntent', changed({ setupIntentId: 'seti_ТЕСТ' })],
  ['a customer that is not a customer id', changed({ customerId: 'acct_123' })],
  ['a session id of another kind', changed({ sessionId: 'pi_123' })],
  ['created as a string', changed({ created: 'yesterday' })],
  ['livemode as a string', changed({ livemode: 'false' })],
  ['a 300 KiB event id', changed({ eventId: 'x'.repeat(300 * 1024) })],
  ['a forged removal with no change record', forgedChange({})],
  [
    'a forged switch dated in the year 2100',
    forgedChange({
      action: 'make_default',
      paymentMethodId: 'pm_corpus',
      removing: undefined,
      requestedAt: Date.UTC(2100, 0, 1),
    }),
  ],
  ['a forged removal dated before the records’ retention', forgedChange({ requestedAt: 1_000 })],
  ['a change id of 250 characters', forgedChange({ changeId: `chg_${'x'.repeat(246)}` })],
];

/** One SQS record as Lambda's event source mapping hands it over (FIFO attributes included). */
export function sqsEventWith(body: string): SQSEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: 'AIDACORPUS',
          ApproximateFirstReceiveTimestamp: now,
          MessageGroupId: 'corpus',
          MessageDeduplicationId: randomUUID(),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:setup-events.fifo',
        awsRegion: 'us-east-1',
      },
    ],
  };
}
