import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DefaultChangeMessage } from '../flow/default-change-message';
import { createSqsWorkQueue } from './sqs-work-queue';

export interface DefaultChangeQueue {
  enqueue(message: DefaultChangeMessage): Promise<void>;
}

/** The setups' queue: the customer as message group keeps a customer's setups and changes in one line. */
export function createSqsDefaultChangeQueue(client: SQSClient, queueUrl: string): DefaultChangeQueue {
  return createSqsWorkQueue<DefaultChangeMessage>(client, queueUrl, (message) => ({
    group: message.customerId,
    deduplication: message.changeId,
  }));
}
