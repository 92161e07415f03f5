import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RecoveryMessage } from '../flow/recovery/recovery-message';
import { createSqsWorkQueue } from './sqs-work-queue';

export interface RecoveryQueue {
  enqueue(message: RecoveryMessage): Promise<void>;
}

/**
 * The setups' queue: the customer is the message group, so a customer's recovery events are handled in line
 * with their setups and changes (a mandate event, which names no customer, is grouped by the mandate). The
 * event id deduplicates Stripe's repeated deliveries within SQS's 5 minutes; the claim record beyond them.
 */
export function createSqsRecoveryQueue(client: SQSClient, queueUrl: string): RecoveryQueue {
  return createSqsWorkQueue<RecoveryMessage>(client, queueUrl, (message) => ({
    group: message.customerId ?? message.objectId ?? message.eventId,
    deduplication: message.eventId,
  }));
}
