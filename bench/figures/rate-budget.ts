import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { StandInRequestLogEntry } from '../../dev/stripe-stand-in';
import type { WorkerInstanceResult } from '../load/worker-instance';
import { type BenchSettings, workerShape } from '../settings';
import type { Bundles } from '../support/bundles';
import type { DriverReport } from '../support/child';
import type { Section } from '../support/report';
import type { Runtime } from '../support/runtimes';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { runWorkerInstances } from '../support/worker-instances';

const MIN_SHARE_USED = 0.95;

export interface RateBudget {
  section: Section;
  instances: (WorkerInstanceResult & DriverReport)[];
}

/**
 * The deployed shape under Stripe's limit: C worker instances (C = the event source's maximum concurrency
 * for the configured share), each its own process running the deployed bundle with its per-instance
 * limit, drain a backlog while the stand-in refuses anything over the account's limit.
 */
export async function measureRateBudget(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtime: Runtime,
): Promise<RateBudget> {
  const { stripeStandIn } = standIns;
  const { maxConcurrency, perInstance } = workerShape(settings);
  const queueUrl = await standIns.createQueue('bench-backlog');
  const setups = await completedSetups(standIns, settings.backlogEvents);
  await deliverThroughWebhook(standIns, setups, queueUrl);

  stripeStandIn.clearRequests();
  stripeStandIn.setRateLimit(settings.stripeAccountLimit);
  // The Stripe stand-in stamps arrivals on this process's event loop: a stall here would crowd its seconds.
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  let instances: (WorkerInstanceResult & DriverReport)[];
  try {
    instances = await runWorkerInstances(standIns, bundles, runtime, {
      queueUrl,
      instances: maxConcurrency,
      perInstance,
      batchSize: 10,
      logLevel: 'info',
    });
  } finally {
    stalls.disable();
    stripeStandIn.setRateLimit(undefined);
  }
  const longestStallMs = stalls.max / 1e6;

  // The log is in completion order; windows are over arrival times.
  const log = [...stripeStandIn.requests].sort((a, b) => a.at - b.at);
  const refused = log.filter((entry) => entry.status === 429).length;
  const served = log.filter((entry) => entry.status !== 429);
  const seconds = ((served.at(-1)?.at ?? 0) - (served[0]?.at ?? 0)) / 1000;
  // n requests span n − 1 intervals.
  const achieved = seconds > 0 ? (served.length - 1) / seconds : 0;
  const used = achieved / settings.workerShare;
  const applied = served.filter(
    (entry) => entry.method === 'POST' && /^\/v1\/customers\/cus_/.test(entry.path),
  );
  const busiest = busiestSecond(served);
  return {
    section: {
      title: `6. Rate budget on ${runtime.label} (${settings.backlogEvents} events backlog; stand-in limit ${settings.stripeAccountLimit} req/s; worker share ${settings.workerShare} req/s = ${maxConcurrency} instances × ${perInstance} req/s)`,
      rows: [
        {
          figure: 'achieved Stripe req/s ÷ share',
          value: `${achieved.toFixed(2)} ÷ ${settings.workerShare} = ${(used * 100).toFixed(1)} %`,
          target: `≥ ${MIN_SHARE_USED * 100} %`,
          pass: used >= MIN_SHARE_USED,
          data: { achieved, share: settings.workerShare, seconds, served: served.length },
        },
        {
          figure: '429s received',
          value: `${refused}`,
          target: '0',
          pass: refused === 0,
        },
        {
          figure: 'busiest second at the stand-in',
          value: `${busiest} requests (share ${settings.workerShare}, limit ${settings.stripeAccountLimit}); Stripe stand-in’s event loop stalled ≤ ${longestStallMs.toFixed(0)} ms`,
          target: '',
          data: { busiest, longestStallMs },
        },
        {
          figure: 'events applied / drained in',
          value: `${applied.length} / ${settings.backlogEvents} in ${seconds.toFixed(1)} s`,
          target: `${settings.backlogEvents}`,
          pass: applied.length === settings.backlogEvents,
          data: { instances },
        },
      ],
      notes: [
        `Rate budget: ${maxConcurrency} child processes, each the deployed worker bundle (STRIPE_MAX_REQUESTS_PER_SECOND=${perInstance}) fed 10-message batches by the SQS poller; achieved rate = requests the stand-in served ÷ the time from the first to the last. The busiest second can exceed the share by about one request per instance: a fresh instance's first requests wait for new connections, so they reach Stripe later than the limiter granted them.`,
      ],
    },
    instances,
  };
}

/** The most requests the stand-in served in any sliding one-second window. */
function busiestSecond(entries: readonly StandInRequestLogEntry[]): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < entries.length; end++) {
    const at = entries[end]?.at ?? 0;
    while ((entries[start]?.at ?? 0) <= at - 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
