import type { WorkerInstanceResult } from '../load/worker-instance';
import type { Bundles } from './bundles';
import { type DriverReport, runLoadDriver } from './child';
import type { Runtime } from './runtimes';
import type { BenchStandIns } from './stand-ins';

export interface WorkerInstancesShape {
  queueUrl: string;
  /** The event source's maximum concurrency: one process each. */
  instances: number;
  /** Each instance's Stripe limiter (STRIPE_MAX_REQUESTS_PER_SECOND). */
  perInstance: number;
  batchSize: number;
  logLevel: string;
}

/** The deployed worker bundle as Lambda runs it behind an SQS event source, `instances` processes at once. */
export function runWorkerInstances(
  standIns: BenchStandIns,
  bundles: Bundles,
  runtime: Runtime,
  shape: WorkerInstancesShape,
): Promise<(WorkerInstanceResult & DriverReport)[]> {
  const env = {
    ...standIns.functionEnv,
    STRIPE_MAX_REQUESTS_PER_SECOND: String(shape.perInstance),
    LOG_LEVEL: shape.logLevel,
  };
  const params = { queueUrl: shape.queueUrl, batchSize: shape.batchSize };
  return Promise.all(
    Array.from({ length: shape.instances }, () =>
      runLoadDriver<WorkerInstanceResult>(
        'worker-instance',
        bundles['setup-worker'].deployed,
        env,
        params,
        runtime.execPath,
      ),
    ),
  );
}
