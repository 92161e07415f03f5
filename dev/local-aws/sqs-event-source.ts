import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_AWS_REGION } from './credentials';

export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface PollOptions {
  batchSize?: number;
  waitTimeSeconds?: number;
  /** Hide failed messages this long before redelivery; unset leaves the queue's visibility timeout. */
  retryDelaySeconds?: number;
}

export interface PollResult {
  received: number;
  failed: number;
}

/**
 * One poll of Lambda's SQS event source mapping: receive a batch, hand it to the function as the SQS event
 * AWS would build, delete what succeeded and leave the reported `batchItemFailures` for redelivery (a thrown
 * error fails the whole batch). Redrive to the dead-letter queue is the queue's own doing.
 */
export async function pollOnce(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: PollOptions = {},
): Promise<PollResult> {
  const { Messages: messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.batchSize ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      MessageSystemAttributeNames: ['All'],
      // The deprecated spelling too: local-aws-sqs answers only to it, and without it every record would
      // look first-received, just sent and groupless.
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (messages.length === 0) return { received: 0, failed: 0 };

  const records = messages.map((message) => toSqsRecord(message, queueUrl));
  let failedIds: Set<string>;
  try {
    const response = await consumer({ Records: records });
    failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch {
    failedIds = new Set(records.map((record) => record.messageId));
  }

  const succeeded = records.filter((record) => !failedIds.has(record.messageId));
  const failed = records.filter((record) => failedIds.has(record.messageId));
  if (succeeded.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
  }
  if (failed.length > 0 && options.retryDelaySeconds !== undefined) {
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: failed.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: options.retryDelaySeconds,
        })),
      }),
    );
  }
  return { received: records.length, failed: failed.length };
}

/** Polls until the queue yields nothing (or `maxPolls` is reached); returns the totals. */
export async function drainQueue(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: PollOptions & { maxPolls?: number } = {},
): Promise<PollResult> {
  const total: PollResult = { received: 0, failed: 0 };
  for (let poll = 0; poll < (options.maxPolls ?? 100); poll++) {
    const result = await pollOnce(client, queueUrl, consumer, options);
    if (result.received === 0) break;
    total.received += result.received;
    total.failed += result.failed;
  }
  return total;
}

function toSqsRecord(message: Message, queueUrl: string): SQSRecord {
  const [accountId, queueName] = new URL(queueUrl).pathname.split('/').filter(Boolean);
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'LOCAL',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${LOCAL_AWS_REGION}:${accountId}:${queueName}`,
    awsRegion: LOCAL_AWS_REGION,
  };
}
