import { workerConcurrency } from '../../lib/capacity';
import { workerBatchSizeFor } from '../../lib/setup-mode-service-stack';
import type { WorkerInstanceResult } from '../load/worker-instance';
import type { BenchSettings } from '../settings';
import type { Bundles } from '../support/bundles';
import { countPurposes, writesIn } from '../support/dynamodb-purposes';
import type { Row } from '../support/report';
import type { Runtime } from '../support/runtimes';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { runWorkerInstances } from '../support/worker-instances';

const MIN_CEILING_USED = 0.9;

/** What the sustained run measured, for the cost figure. */
export interface SustainedSetups {
  rows: Row[];
  setupsPerSecond: number;
  stripeCallsPerSetup: number;
  dynamodbWritesPerSetup: number;
  dynamodbReadsPerSetup: number;
  workerInvocationsPerSetup: number;
  workerSecondsPerSetup: number;
}

/**
 * Setups per second the deployed worker sustains against a live-like Stripe: the stand-in at the live
 * account limit, a per-endpoint limit beside it, and a production-like latency on every call
 * (https://docs.stripe.com/rate-limits), with the stack's default live settings (the worker's share and the
 * concurrency and batch size derived from it). Half the setups take the attach path.
 */
export async function measureSustainedSetups(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtime: Runtime,
): Promise<SustainedSetups> {
  const { stripeStandIn, dynamodbCalls } = standIns;
  const { live } = settings;
  const { maxConcurrency, perInstance } = workerConcurrency(live.workerShare);
  const queueUrl = await standIns.createQueue('bench-sustained');
  const half = Math.ceil(live.setups / 2);
  // Everything a setup costs DynamoDB, from its session to its outcome: the counter starts before the session.
  dynamodbCalls.clear();
  const setups = [
    ...(await completedSetups(standIns, half)),
    ...(await completedSetups(standIns, live.setups - half, { withoutCustomer: true })),
  ];
  await deliverThroughWebhook(standIns, setups, queueUrl);

  stripeStandIn.clearRequests();
  stripeStandIn.setRateLimit(live.accountLimit);
  stripeStandIn.setEndpointRateLimit(live.endpointLimit);
  stripeStandIn.setLatency(live.latencyMs);
  let instances: WorkerInstanceResult[];
  try {
    instances = await runWorkerInstances(standIns, bundles, runtime, {
      queueUrl,
      instances: maxConcurrency,
      perInstance,
      batchSize: workerBatchSizeFor(perInstance),
      logLevel: 'silent',
    });
  } finally {
    stripeStandIn.setLatency(0);
    stripeStandIn.setEndpointRateLimit(undefined);
    stripeStandIn.setRateLimit(undefined);
  }
  const dynamodb = countPurposes(dynamodbCalls.calls);

  const log = [...stripeStandIn.requests].sort((a, b) => a.at - b.at);
  const served = log.filter((entry) => entry.status !== 429);
  const refused = log.length - served.length;
  const applied = served.filter(
    (entry) => entry.method === 'POST' && /^\/v1\/customers\/cus_/.test(entry.path),
  ).length;
  const seconds = ((log.at(-1)?.at ?? 0) - (log[0]?.at ?? 0)) / 1000 + live.latencyMs / 1000;
  const setupsPerSecond = seconds > 0 ? applied / seconds : 0;
  const perSetup = (count: number) => (applied > 0 ? count / applied : Number.POSITIVE_INFINITY);
  const stripeCallsPerSetup = perSetup(log.length);
  const byEndpoint = new Map<string, number>();
  for (const entry of log) {
    const endpoint = `${entry.method} ${entry.path.replace(/\/(cus|sub|cs|pm|seti)_\w+/g, '/$1_…')}`;
    byEndpoint.set(endpoint, (byEndpoint.get(endpoint) ?? 0) + 1);
  }
  const [busiestEndpoint, busiestCount] = [...byEndpoint].reduce(
    (most, next) => (next[1] > most[1] ? next : most),
    ['none', 0] as [string, number],
  );
  const shareCeiling = live.workerShare / stripeCallsPerSetup;
  const endpointCeiling = live.endpointLimit / perSetup(busiestCount);
  const ceiling = Math.min(shareCeiling, endpointCeiling);
  const used = setupsPerSecond / ceiling;
  const batches = instances.reduce((total, instance) => total + instance.batches, 0);
  const busyMs = instances.reduce((total, instance) => total + instance.elapsedMs, 0);
  const rows: Row[] = [
    {
      figure: `sustained setups/s ÷ ceiling (${live.setups} setups, ${maxConcurrency} instances × ${perInstance} req/s, batch ${workerBatchSizeFor(perInstance)})`,
      value: `${setupsPerSecond.toFixed(2)} ÷ ${ceiling.toFixed(2)} = ${(used * 100).toFixed(1)} %`,
      target: `≥ ${MIN_CEILING_USED * 100} %`,
      pass: used >= MIN_CEILING_USED && applied === live.setups,
      data: { setupsPerSecond, ceiling, shareCeiling, endpointCeiling, seconds, applied, refused },
    },
    {
      figure:
        'ceiling = min(share ÷ Stripe calls per setup, endpoint limit ÷ busiest endpoint’s calls per setup)',
      value: `min(${live.workerShare} ÷ ${stripeCallsPerSetup.toFixed(2)} = ${shareCeiling.toFixed(2)}, ${live.endpointLimit} ÷ ${perSetup(busiestCount).toFixed(2)} (${busiestEndpoint}) = ${endpointCeiling.toFixed(2)}) setups/s; ${refused} × 429`,
      target: '',
      data: { byEndpoint: Object.fromEntries(byEndpoint) },
    },
    {
      figure: 'DynamoDB requests per setup (session, webhook, worker; no status polls)',
      value: `${perSetup(writesIn(dynamodb)).toFixed(2)} writes, ${perSetup(dynamodb.read).toFixed(2)} reads`,
      target: '≤ 6 writes',
      pass: perSetup(writesIn(dynamodb)) <= 6,
      data: { dynamodb },
    },
  ];
  return {
    rows,
    setupsPerSecond,
    stripeCallsPerSetup,
    dynamodbWritesPerSetup: perSetup(writesIn(dynamodb)),
    dynamodbReadsPerSetup: perSetup(dynamodb.read),
    workerInvocationsPerSetup: perSetup(batches),
    workerSecondsPerSetup: perSetup(busyMs / 1000),
  };
}
