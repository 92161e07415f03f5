import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventQueue, SetupMessage } from '../ports';
import { createSqsWorkQueue } from './sqs-work-queue';

/**
 * Sends setup work to SQS. On a FIFO queue the customer is the message group, so one customer's setups are
 * handled one at a time. A webhook's copies of one event type for one SetupIntent share a deduplication id
 * within SQS's 5-minute window; the status path and reconcile send under their own ids (their `eventId`),
 * since a message deduplicated against one already consumed is dropped without an error. The worker's claim
 * on the DynamoDB record is what keeps every copy to one effect.
 */
export function createSqsEventQueue(client: SQSClient, queueUrl: string): EventQueue {
  return createSqsWorkQueue<SetupMessage>(client, queueUrl, (message) => ({
    group: message.customerId ?? message.setupIntentId,
    deduplication: message.eventId.startsWith('evt_')
      ? `${message.setupIntentId}:${message.eventType}`
      : message.eventId,
  }));
}
