import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DefaultChangeMessage } from '../flow/default-change-message';
import { fifoId } from './fifo-ids';

export interface DefaultChangeQueue {
  enqueue(message: DefaultChangeMessage): Promise<void>;
}

/** The setups' queue: the customer as message group keeps a customer's setups and changes in one line. */
export function createSqsDefaultChangeQueue(client: SQSClient, queueUrl: string): DefaultChangeQueue {
  const fifo = queueUrl.endsWith('.fifo');
  return {
    async enqueue(message) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          ...(fifo
            ? { MessageGroupId: fifoId(message.customerId), MessageDeduplicationId: fifoId(message.changeId) }
            : {}),
        }),
      );
    },
  };
}
