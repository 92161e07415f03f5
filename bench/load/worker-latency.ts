/*
 * Child process: one worker instance of the deployed bundle on the runtime under test, handed one message
 * at a time when the bench asks (`{ next: true }`), so the bench can set up each event and read the calls it
 * made on the stand-ins in between. `{ duplicate: true }` redelivers the last message as SQS would after a
 * lost delete (a second receive of the same record). See figures/worker-latency.ts.
 */

import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { pollOnce, type SqsConsumer } from '../../dev/local-aws/sqs-event-source';
import { nowMs } from '../support/stats';
import { driverParams, loadHandler, rssBytes, runDriver, serveRequests } from './driver';

export interface WorkerLatencyParams {
  queueUrl: string;
}

export interface HandledEvent {
  handlerMs: number;
  failed: number;
}

export interface WorkerLatencyResult {
  rssAfterInitBytes: number;
}

runDriver(async (): Promise<WorkerLatencyResult> => {
  const { queueUrl } = driverParams<WorkerLatencyParams>();
  const worker = loadHandler<SqsConsumer>();
  const rssAfterInitBytes = rssBytes();
  const sqs = new SQSClient({});
  let last: SQSRecord | undefined;
  const timed = async (records: SQSRecord[]): Promise<HandledEvent> => {
    const started = nowMs();
    const response = await worker({ Records: records });
    return { handlerMs: nowMs() - started, failed: response?.batchItemFailures.length ?? 0 };
  };
  await serveRequests(async (message) => {
    if (message.duplicate) {
      if (!last) throw new Error('no message to redeliver yet');
      return timed([{ ...last, attributes: { ...last.attributes, ApproximateReceiveCount: '2' } }]);
    }
    let handled: HandledEvent | undefined;
    const polled = await pollOnce(
      sqs,
      queueUrl,
      async (event) => {
        last = event.Records[0];
        handled = await timed(event.Records);
        return { batchItemFailures: [] };
      },
      { batchSize: 1 },
    );
    if (polled.received !== 1 || !handled) throw new Error(`expected one message, got ${polled.received}`);
    return handled;
  });
  return { rssAfterInitBytes };
});
