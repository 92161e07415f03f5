import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { type BenchSettings, workerShape } from '../settings';
import type { BenchStandIns } from './stand-ins';
import { nowMs } from './stats';

export type Worker = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** The real worker wired in this process, configured as the stack configures one instance. */
export function wireBenchWorker(standIns: BenchStandIns, settings: BenchSettings): Worker {
  return wireSetupWorker({
    ...standIns.functionEnv,
    STRIPE_MAX_REQUESTS_PER_SECOND: String(workerShape(settings).perInstance),
  });
}

export interface ProcessedMessage {
  /** Time inside the worker's handler only: receiving and deleting are the event source's work. */
  handlerMs: number;
  record: SQSRecord;
}

/** Hands the next message on `queueUrl` to the worker as a one-record batch; it must succeed. */
export async function processNextMessage(
  standIns: BenchStandIns,
  worker: Worker,
  queueUrl = standIns.sqs.queueUrl,
): Promise<ProcessedMessage> {
  let processed: ProcessedMessage | undefined;
  const polled = await pollOnce(
    standIns.sqs.client,
    queueUrl,
    async (event) => {
      const started = nowMs();
      const response = await worker(event);
      processed = { handlerMs: nowMs() - started, record: event.Records[0] as SQSRecord };
      return response;
    },
    { batchSize: 1 },
  );
  if (polled.received !== 1 || polled.failed !== 0 || !processed) {
    throw new Error(`expected one message processed, got ${JSON.stringify(polled)}`);
  }
  return processed;
}
