import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  queueUrl: string;
  deadLetterQueueUrl: string;
  dryRun: boolean;
  onProgress?: (moved: number, total: number) => void;
}

export interface RedriveResult {
  method: 'message-move-task' | 'receive-and-send' | 'none';
  waiting: number;
  moved: number;
}

async function attributes(client: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    }),
  );
  return { arn: Attributes.QueueArn ?? '', waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0) };
}

/**
 * Moves dead-lettered setup messages back to the work queue. SQS's own message-move task does it
 * server-side where the endpoint runs it (asked first); otherwise (older or local endpoints) messages are received,
 * re-sent with their FIFO group and deleted, batch by batch. Either way the worker's DynamoDB records make
 * a replayed message harmless.
 */
export async function redriveDeadLetters(client: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  const [dlq, queue] = await Promise.all([
    attributes(client, options.deadLetterQueueUrl),
    attributes(client, options.queueUrl),
  ]);
  if (options.dryRun || dlq.waiting === 0) return { method: 'none', waiting: dlq.waiting, moved: 0 };
  if (await runsMessageMoveTasks(client, dlq.arn)) {
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: queue.arn }));
    return {
      method: 'message-move-task',
      waiting: dlq.waiting,
      moved: await awaitMoveTask(client, dlq.arn, options),
    };
  }
  const fifo = options.queueUrl.endsWith('.fifo');
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) break;
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          ...(fifo
            ? {
                MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive',
                // A fresh id: the original one may still be inside SQS's 5-minute deduplication window.
                MessageDeduplicationId: `redrive-${message.MessageId}-${Date.now()}`,
              }
            : {}),
        })),
      }),
    );
    const delivered = new Set((sent.Successful ?? []).map((entry) => Number(entry.Id)));
    const toDelete = Messages.filter((_message, index) => delivered.has(index));
    if (toDelete.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.deadLetterQueueUrl,
          Entries: toDelete.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    moved += toDelete.length;
    options.onProgress?.(moved, dlq.waiting);
    if (toDelete.length < Messages.length)
      throw new Error('some messages could not be re-sent; they stay in the DLQ');
  }
  return { method: 'receive-and-send', waiting: dlq.waiting, moved };
}

/**
 * Asks the endpoint whether it runs message-move tasks, with the read-only ListMessageMoveTasks, instead of
 * guessing from how StartMessageMoveTask fails: endpoints without the API answer in their own ways (moto:
 * HTTP 500 with an HTML page, which the SDK reports as a SyntaxError; others 400 InvalidAction, 404 or 501).
 * Refused permission and throttling are real SQS answering, so they are reported, not taken for "cannot".
 */
export async function runsMessageMoveTasks(client: SQSClient, sourceArn: string): Promise<boolean> {
  try {
    await client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as { name?: string }).name ?? '';
    if (status === 403 || /AccessDenied|Throttl|RequestThrottled|OverLimit/i.test(name)) throw error;
    return false;
  }
}

/** The move task runs server-side and asynchronously: follow it until it finishes, reporting progress. */
async function awaitMoveTask(client: SQSClient, sourceArn: string, options: RedriveOptions): Promise<number> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const { Results = [] } = await client.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    const task = Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    options.onProgress?.(moved, task?.ApproximateNumberOfMessagesToMove ?? moved);
    if (task?.Status === 'FAILED')
      throw new Error(`the message move task failed: ${task.FailureReason ?? 'no reason given'}`);
    if (!task || task.Status === 'COMPLETED' || task.Status === 'CANCELLED') return moved;
    if (Date.now() > deadline)
      throw new Error('the message move task is still running; check it with ListMessageMoveTasks');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
