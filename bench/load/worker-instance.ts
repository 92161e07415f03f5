/*
 * Child process: one worker instance, as Lambda runs it behind an SQS event source: the deployed bundle
 * (its Stripe limiter set by STRIPE_MAX_REQUESTS_PER_SECOND) fed batches by a poller until the queue is
 * empty. The rate-budget figure starts as many of these as the event source's maximum concurrency.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth } from '../../dev/local-aws/queue-depth';
import { pollOnce, type SqsConsumer } from '../../dev/local-aws/sqs-event-source';
import { nowMs } from '../support/stats';
import { driverParams, loadHandler, rssBytes, runDriver } from './driver';

export interface WorkerInstanceParams {
  queueUrl: string;
  batchSize: number;
}

export interface WorkerInstanceResult {
  batches: number;
  received: number;
  failed: number;
  elapsedMs: number;
  rssAfterInitBytes: number;
}

runDriver(async (): Promise<WorkerInstanceResult> => {
  const { queueUrl, batchSize } = driverParams<WorkerInstanceParams>();
  const worker = loadHandler<SqsConsumer>();
  const rssAfterInitBytes = rssBytes();
  const sqs = new SQSClient({});
  const started = nowMs();
  const totals = { batches: 0, received: 0, failed: 0 };
  for (;;) {
    // Failed records come back after a second, as a short visibility timeout would return them.
    const polled = await pollOnce(sqs, queueUrl, worker, { batchSize, retryDelaySeconds: 1 });
    if (polled.received > 0) {
      totals.batches += 1;
      totals.received += polled.received;
      totals.failed += polled.failed;
      continue;
    }
    if ((await queueDepth(sqs, queueUrl)) === 0) break;
    await sleep(100);
  }
  return { ...totals, elapsedMs: nowMs() - started, rssAfterInitBytes };
});
