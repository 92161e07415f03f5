import type { SQSClient } from '@aws-sdk/client-sqs';
import { type PollOptions, pollOnce, type SqsConsumer } from './sqs-event-source';

export interface SqsPoller {
  /** Stops after the poll in progress (at most one long-poll wait) and its batch have finished. */
  stop(): Promise<void>;
}

/**
 * Feeds a consumer continuously, as Lambda's event source mapping does: long-poll, hand over the batch,
 * delete what succeeded. Failed records stay invisible for the queue's visibility timeout and are then
 * redelivered, until the queue's redrive policy moves them to the dead-letter queue.
 */
export function startSqsPoller(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: PollOptions & { onError?: (error: unknown) => void } = {},
): SqsPoller {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pollOnce(client, queueUrl, consumer, { waitTimeSeconds: 1, ...options });
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
