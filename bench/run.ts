/*
 * `npm run bench [-- --quick] [-- --strict]`: measures the figures of issue 8 side by side in one run,
 * prints them as a Markdown table and writes bench/results.json. Never part of `npm test`.
 */
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { bundleSizeSection } from './figures/bundle-size';
import { measureCallsPerEvent } from './figures/calls-per-event';
import { coldInitExperimentsSection, coldInitSection, measureColdInit } from './figures/cold-init';
import { profileColdInit } from './figures/init-profile';
import { measureOwnershipChecks } from './figures/ownership-checks';
import { peakMemorySection } from './figures/peak-memory';
import { measureRateBudget } from './figures/rate-budget';
import { measureRecoveryCalls } from './figures/recovery-calls';
import { measureRetryReads } from './figures/retry-reads';
import { measureRouteHammer } from './figures/route-hammer';
import { measureSavedMethods } from './figures/saved-methods';
import { runSessionApiLoad } from './figures/session-api-load';
import { setupCostRows } from './figures/setup-cost';
import { measureStatusPolls } from './figures/status-polls';
import { measureSustainedSetups } from './figures/sustained-setups';
import { measureWebhookOverhead } from './figures/webhook-overhead';
import { measureWorkerLatency } from './figures/worker-latency';
import { benchSettings, workerShape } from './settings';
import { buildAll } from './support/bundles';
import { formatTable, type Section, writeResults } from './support/report';
import { ensureRuntimes, requestedMajors } from './support/runtimes';
import { type BenchStandIns, startBenchStandIns } from './support/stand-ins';

const USAGE = `Usage: npm run bench [-- --quick] [-- --strict] [-- --node=24,22,20]

Measures, side by side in one run, and prints with targets and pass/MISS marks:
  1. bundle size per function vs a naive bundle      5. Stripe and DynamoDB calls per event
  2. cold init per function vs the naive bundle      6. rate budget: backlog under Stripe's rate limit
  3. webhook verify + enqueue vs bare SendMessage    7. peak memory (RSS) per function under load
  4. worker latency per event vs one Stripe round trip  + Stripe reads a retry adds (issue 17)
                                                     8. ownership proof and rollback check: cost per event
                                                     9. saved methods: calls per switch and removal,
                                                        switch latency (issue 14)
                                                    10. capacity: Stripe reads per status poll, sustained
                                                        setups/s vs the ceiling, cost of 1 M setups
                                                    11. Stripe requests caused by one caller hammering
                                                        each route (10 s each; --quick 2 s)
                                                    12. recovery events: Stripe and DynamoDB calls for
                                                        an echo (0 Stripe calls) and a drift
Figures 2, 3, 4 and 7 run on each Node version (the first is the one the rest run on). Node binaries other
than this process's are fetched once from the npm registry (node-linux-<arch>@<major>) into
node_modules/.cache/bench-node/. Writes bench/results.json. Everything else runs locally against the
stand-ins (no AWS, no Stripe).

  --quick        small N (CI: under a minute), this process's Node only; targets are still marked
  --strict       exit 1 when a target is missed (by default only a crash fails)
  --node=24,22   the Node major versions to run on (default: 24,22,20; --quick: this process's)
  --help         this text`;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter(
    (arg) => !['--quick', '--strict', '--help', '-h'].includes(arg) && !/^--node=[\d,]+$/.test(arg),
  );
  if (argv.includes('--help') || argv.includes('-h') || unknown.length > 0) {
    if (unknown.length > 0) process.stderr.write(`Unknown option: ${unknown.join(' ')}\n\n`);
    process.stdout.write(`${USAGE}\n`);
    return unknown.length > 0 ? 2 : 0;
  }
  const settings = benchSettings(argv.includes('--quick'));
  const started = Date.now();
  const step = (message: string) => log(`${((Date.now() - started) / 1000).toFixed(1)} s  ${message}`);

  const runtimes = await ensureRuntimes(requestedMajors(argv, settings.quick), step);
  const [primary] = runtimes;
  if (!primary) throw new Error('no Node version to run on');
  // The runtime the stack deploys (lib/service-function.ts) carries the cold-init experiments.
  const deployedRuntime = runtimes.find((runtime) => runtime.label === 'Node 24');
  step(
    `${settings.quick ? 'quick' : 'full'} run on ${runtimes.map((runtime) => `${runtime.label} (${runtime.version})`).join(', ')}: building bundles`,
  );
  const bundles = await buildAll();
  let standIns: BenchStandIns | undefined;
  const sections: Section[] = [];
  try {
    standIns = await startBenchStandIns();
    const initEnv = { ...standIns.functionEnv };

    step(`cold init: ${settings.coldInitRuns} fresh processes per bundle, variant and runtime`);
    const coldInit = await measureColdInit(
      bundles,
      initEnv,
      settings.coldInitRuns,
      runtimes,
      deployedRuntime,
    );
    const primaryInit = coldInit.get(primary.label);
    if (!primaryInit) throw new Error(`no cold-init figures for ${primary.label}`);
    sections.push(
      bundleSizeSection(
        bundles,
        Object.fromEntries(
          Object.entries(primaryInit).map(([name, variants]) => [name, variants.deployed?.probe]),
        ) as Parameters<typeof bundleSizeSection>[1],
      ),
      coldInitSection(coldInit, settings.coldInitRuns),
    );
    const experiments = deployedRuntime
      ? coldInitExperimentsSection(coldInit, deployedRuntime, settings.coldInitRuns)
      : undefined;
    if (deployedRuntime && experiments) {
      if (settings.profileRuns > 0) {
        step(`cold init: CPU profiles on ${deployedRuntime.label}`);
        const profiles = await profileColdInit(bundles, initEnv, deployedRuntime, settings.profileRuns);
        experiments.notes = [...(experiments.notes ?? []), ...profiles.notes];
      }
      sections.push(experiments);
    }

    step('webhook overhead');
    const webhook = await measureWebhookOverhead(standIns, bundles, settings, runtimes);
    sections.push(webhook.section);

    step('worker latency');
    const latency = await measureWorkerLatency(standIns, bundles, settings, runtimes);
    sections.push(latency.section);

    step('calls per event');
    sections.push(await measureCallsPerEvent(standIns, settings));

    step('recovery events');
    sections.push(await measureRecoveryCalls(standIns, settings));

    step('retry reads');
    sections.push(await measureRetryReads(standIns, settings));

    step('ownership and freshness checks');
    const ownership = await measureOwnershipChecks(standIns, settings);

    step('saved methods: switches and removals');
    const savedMethods = await measureSavedMethods(standIns, bundles, settings, primary);

    step(`rate budget: ${settings.backlogEvents} events`);
    const rate = await measureRateBudget(standIns, bundles, settings, primary);
    sections.push(rate.section);

    step(`capacity: ${settings.statusPages} success pages polling`);
    const polls = await measureStatusPolls(standIns, settings);
    step(`capacity: ${settings.live.setups} setups against a live-like Stripe`);
    const sustained = await measureSustainedSetups(standIns, bundles, settings, primary);
    const { live } = settings;
    sections.push({
      title: `10. Capacity on ${primary.label} (live-like Stripe: account ${live.accountLimit} req/s, ${live.endpointLimit} req/s per endpoint, ${live.latencyMs} ms a call; worker share ${live.workerShare} req/s)`,
      rows: [...polls.rows, ...sustained.rows, ...setupCostRows(sustained, polls)],
      notes: [
        'Capacity: method and prices in docs/performance.md ("Capacity and cost"). Sustained rate = setups applied ÷ the time from the first Stripe request to the last answer; DynamoDB requests per setup count the session, webhook and worker writes of the run (the attach-path half creates its sessions without the session API).',
      ],
    });

    step(`one caller hammering each route: ${settings.hammerSecondsPerRoute} s each`);
    const hammer = await measureRouteHammer(standIns, settings);

    step('session API load');
    const { maxConcurrency } = workerShape(settings);
    const busiestWorker = rate.instances.reduce((most, instance) =>
      instance.maxRssBytes > most.maxRssBytes ? instance : most,
    );
    const loads: Parameters<typeof peakMemorySection>[0] = [];
    const sessionApiMs: Parameters<typeof peakMemorySection>[1] = [];
    const latencyEvents = settings.workerLatencyEvents.reduce((total, events) => total + events + 1, 1);
    for (const runtime of runtimes) {
      const sessionApi = await runSessionApiLoad(standIns, bundles, settings, runtime);
      const none = { maxRssBytes: 0, rssAfterInitBytes: 0 };
      loads.push(
        {
          runtime: runtime.label,
          name: 'stripe-webhook',
          load: `figure 3 (${settings.webhookRequests * 2 + settings.webhookThroughputRequests * 2} requests incl. bare)`,
          ...(webhook.peakRss.get(runtime.label) ?? none),
        },
        {
          runtime: runtime.label,
          name: 'setup-worker',
          load: `figure 4's instance (${latencyEvents} events, one at a time)`,
          ...(latency.peakRss.get(runtime.label) ?? none),
        },
        {
          runtime: runtime.label,
          name: 'checkout-api',
          load: `${settings.sessionApiRequests} requests, 4 in flight`,
          maxRssBytes: sessionApi.maxRssBytes,
          rssAfterInitBytes: sessionApi.rssAfterInitBytes,
        },
      );
      sessionApiMs.push({ runtime: runtime.label, create: sessionApi.createMs, status: sessionApi.statusMs });
    }
    loads.push({
      runtime: primary.label,
      name: 'setup-worker',
      load: `figure 6, busiest of ${maxConcurrency} instances, batches of 10`,
      maxRssBytes: busiestWorker.maxRssBytes,
      rssAfterInitBytes: busiestWorker.rssAfterInitBytes,
    });
    sections.push(peakMemorySection(loads, sessionApiMs));
    sections.push(ownership);
    sections.push(savedMethods);
    sections.push(hammer);
  } finally {
    await standIns?.close();
  }

  const table = formatTable(sections);
  process.stdout.write(`\n${table}\n\n`);
  const rows = sections.flatMap((section) => section.rows);
  const missed = rows.filter((row) => row.pass === false);
  const seconds = (Date.now() - started) / 1000;
  const file = path.join(__dirname, 'results.json');
  writeResults(file, {
    mode: settings.quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    durationSeconds: seconds,
    machine: {
      node: process.version,
      runtimes: runtimes.map(({ label, version }) => ({ label, version })),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryBytes: totalmem(),
    },
    settings,
    sections,
    table,
  });
  step(
    `done: ${rows.length - missed.length - rows.filter((row) => row.pass === undefined).length} targets met, ${missed.length} missed; wrote ${path.relative(process.cwd(), file)}`,
  );
  return argv.includes('--strict') && missed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[bench] crashed:', error);
    process.exit(1);
  },
);
