/*
 * `npm run bench [-- --quick] [-- --strict]`: measures the figures of issue 8 side by side in one run,
 * prints them as a Markdown table and writes bench/results.json. Never part of `npm test`.
 */
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { bundleSizeSection } from './figures/bundle-size';
import { measureCallsPerEvent } from './figures/calls-per-event';
import { coldInitSection, measureColdInit } from './figures/cold-init';
import { measureOwnershipChecks } from './figures/ownership-checks';
import { peakMemorySection } from './figures/peak-memory';
import { measureRateBudget } from './figures/rate-budget';
import { measureRetryReads } from './figures/retry-reads';
import { runSessionApiLoad } from './figures/session-api-load';
import { measureWebhookOverhead } from './figures/webhook-overhead';
import { measureWorkerLatency } from './figures/worker-latency';
import { benchSettings, workerShape } from './settings';
import { buildAll } from './support/bundles';
import { formatTable, type Section, writeResults } from './support/report';
import { type BenchStandIns, startBenchStandIns } from './support/stand-ins';

const USAGE = `Usage: npm run bench [-- --quick] [-- --strict]

Measures, side by side in one run, and prints with targets and pass/MISS marks:
  1. bundle size per function vs a naive bundle      5. Stripe and DynamoDB calls per event
  2. cold init per function vs the naive bundle      6. rate budget: backlog under Stripe's rate limit
  3. webhook verify + enqueue vs bare SendMessage    7. peak memory (RSS) per function under load
  4. worker latency per event vs one Stripe round trip  + Stripe reads a retry adds (issue 17)
                                                     8. ownership proof and rollback check: cost per event
Writes bench/results.json. Everything runs locally against the stand-ins (no network, no AWS, no Stripe).

  --quick   small N (CI: under a minute); targets are still marked
  --strict  exit 1 when a target is missed (by default only a crash fails)
  --help    this text`;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => !['--quick', '--strict', '--help', '-h'].includes(arg));
  if (argv.includes('--help') || argv.includes('-h') || unknown.length > 0) {
    if (unknown.length > 0) process.stderr.write(`Unknown option: ${unknown.join(' ')}\n\n`);
    process.stdout.write(`${USAGE}\n`);
    return unknown.length > 0 ? 2 : 0;
  }
  const settings = benchSettings(argv.includes('--quick'));
  const started = Date.now();
  const step = (message: string) => log(`${((Date.now() - started) / 1000).toFixed(1)} s  ${message}`);

  step(`${settings.quick ? 'quick' : 'full'} run: building bundles`);
  const bundles = await buildAll();
  let standIns: BenchStandIns | undefined;
  const sections: Section[] = [];
  try {
    standIns = await startBenchStandIns();
    const initEnv = { ...standIns.functionEnv };

    step(`cold init: ${settings.coldInitRuns} fresh processes per bundle`);
    const coldInit = await measureColdInit(bundles, initEnv, settings.coldInitRuns);
    sections.push(bundleSizeSection(bundles, coldInit), coldInitSection(coldInit, settings.coldInitRuns));

    step('webhook overhead');
    const webhook = await measureWebhookOverhead(standIns, bundles, settings);
    sections.push(webhook.section);

    step('worker latency');
    sections.push(await measureWorkerLatency(standIns, settings));

    step('calls per event');
    sections.push(await measureCallsPerEvent(standIns, settings));

    step('retry reads');
    sections.push(await measureRetryReads(standIns, settings));

    step('ownership and freshness checks');
    const ownership = await measureOwnershipChecks(standIns, settings);

    step(`rate budget: ${settings.backlogEvents} events`);
    const rate = await measureRateBudget(standIns, bundles, settings);
    sections.push(rate.section);

    step('session API load');
    const sessionApi = await runSessionApiLoad(standIns, bundles, settings);
    const { maxConcurrency } = workerShape(settings);
    const busiestWorker = rate.instances.reduce((most, instance) =>
      instance.maxRssBytes > most.maxRssBytes ? instance : most,
    );
    sections.push(
      peakMemorySection(
        [
          {
            name: 'stripe-webhook',
            load: `figure 3 (${settings.webhookRequests * 2 + settings.webhookThroughputRequests * 2} requests incl. bare)`,
            ...webhook.peakRss,
          },
          {
            name: 'setup-worker',
            load: `figure 6, busiest of ${maxConcurrency} instances`,
            maxRssBytes: busiestWorker.maxRssBytes,
            rssAfterInitBytes: busiestWorker.rssAfterInitBytes,
          },
          {
            name: 'checkout-api',
            load: `${settings.sessionApiRequests} requests, 4 in flight`,
            maxRssBytes: sessionApi.maxRssBytes,
            rssAfterInitBytes: sessionApi.rssAfterInitBytes,
          },
        ],
        { create: sessionApi.createMs, status: sessionApi.statusMs },
      ),
    );
    sections.push(ownership);
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
