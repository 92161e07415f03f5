import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventQueue, SetupMessage } from '../ports';
import { createSqsWorkQueue } from './sqs-work-queue';

/**
 * Sends setup work to SQS. On a FIFO queue the customer is the message group, so one customer's setups are
 * handled one at a time, and the SetupIntent id deduplicates the webhook and the status path within SQS's
 * 5-minute window (the DynamoDB record is the guard beyond it).
 */
export function createSqsEventQueue(client: SQSClient, queueUrl: string): EventQueue {
  return createSqsWorkQueue<SetupMessage>(client, queueUrl, (message) => ({
    group: message.customerId ?? message.setupIntentId,
    deduplication: `${message.setupIntentId}:${message.eventType}`,
  }));
}
