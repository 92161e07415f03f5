import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { fifoId } from './fifo-ids';

/** What orders and deduplicates a message on the FIFO queue; each kind of work names its own. */
export interface FifoIds {
  group: string;
  deduplication: string;
}

/**
 * Sends one kind of work to the setups' queue as JSON. On a FIFO queue the ids go through `fifoId`, so any
 * valid Stripe id fits SQS's 128 characters; a standard queue (local tests) takes neither.
 */
export function createSqsWorkQueue<M>(
  client: SQSClient,
  queueUrl: string,
  fifoIdsOf: (message: M) => FifoIds,
): { enqueue(message: M): Promise<void> } {
  const fifo = queueUrl.endsWith('.fifo');
  return {
    async enqueue(message) {
      const ids = fifo ? fifoIdsOf(message) : undefined;
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          ...(ids
            ? { MessageGroupId: fifoId(ids.group), MessageDeduplicationId: fifoId(ids.deduplication) }
            : {}),
        }),
      );
    },
  };
}
