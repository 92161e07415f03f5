import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventQueue, SetupMessage } from '../ports';
import { fifoId } from './fifo-ids';

/**
 * Sends setup work to SQS. On a FIFO queue the customer is the message group, so one customer's setups are
 * handled one at a time, and the SetupIntent id deduplicates the webhook and the status path within SQS's
 * 5-minute window (the DynamoDB record is the guard beyond it).
 */
export function createSqsEventQueue(client: SQSClient, queueUrl: string): EventQueue {
  const fifo = queueUrl.endsWith('.fifo');
  return {
    async enqueue(message: SetupMessage) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          ...(fifo
            ? {
                MessageGroupId: fifoId(message.customerId ?? message.setupIntentId),
                MessageDeduplicationId: fifoId(`${message.setupIntentId}:${message.eventType}`),
              }
            : {}),
        }),
      );
    },
  };
}
