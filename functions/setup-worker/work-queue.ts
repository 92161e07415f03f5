import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** What the worker does to its own queue records besides answering the event source mapping. */
export interface WorkQueue {
  /**
   * Sets how long each record stays hidden before it is received again. Best effort: a record whose
   * change fails still comes back, after the queue's own visibility timeout.
   */
  handBack(entries: { record: SQSRecord; visibilitySeconds: number }[]): Promise<void>;
  /** Moves a record to the dead-letter queue; the caller then reports it done, so the mapping deletes it. */
  deadLetter(record: SQSRecord, reason: string): Promise<void>;
}

const BATCH_LIMIT = 10;

/**
 * On SQS itself: ChangeMessageVisibilityBatch with the receipt handles Lambda passed in the event (a
 * handle stays valid while the message is in flight), and SendMessage to the dead-letter queue. A FIFO
 * dead-letter queue needs the record's group, and its message id as deduplication id, so a retried move
 * leaves one copy (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 */
export function createSqsWorkQueue(
  client: SQSClient,
  queues: { queueUrl: string; deadLetterQueueUrl?: string },
): WorkQueue {
  return {
    async handBack(entries) {
      for (let start = 0; start < entries.length; start += BATCH_LIMIT) {
        const chunk = entries.slice(start, start + BATCH_LIMIT);
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queues.queueUrl,
            Entries: chunk.map(({ record, visibilitySeconds }, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: visibilitySeconds,
            })),
          }),
        );
      }
    },
    async deadLetter(record, reason) {
      if (!queues.deadLetterQueueUrl) throw new Error('DEAD_LETTER_QUEUE_URL is not set');
      const fifo = queues.deadLetterQueueUrl.endsWith('.fifo');
      const group = record.attributes.MessageGroupId;
      await client.send(
        new SendMessageCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          MessageBody: record.body,
          MessageAttributes: { deadLetterReason: { DataType: 'String', StringValue: reason } },
          ...(fifo
            ? { MessageGroupId: group ?? record.messageId, MessageDeduplicationId: record.messageId }
            : {}),
        }),
      );
    },
  };
}
