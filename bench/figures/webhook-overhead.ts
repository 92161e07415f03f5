import type { WebhookOverheadParams, WebhookOverheadResult } from '../load/webhook-overhead';
import type { BenchSettings } from '../settings';
import type { Bundles } from '../support/bundles';
import { runLoadDriver } from '../support/child';
import { milliseconds, type Row, type Section, times } from '../support/report';
import type { Runtime } from '../support/runtimes';
import { completedSetups } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { percentile } from '../support/stats';

const TARGET = 1.3;

export interface WebhookOverhead {
  section: Section;
  /** Per runtime label: the webhook process's memory under this load (for figure 7). */
  peakRss: Map<string, { maxRssBytes: number; rssAfterInitBytes: number }>;
}

/**
 * Verify + enqueue against a bare SendMessage of the same body, both in one child process running the
 * deployed bundle (its `handler` is `wireStripeWebhook(process.env)`) on each runtime in turn, both against
 * the embedded SQS.
 */
export async function measureWebhookOverhead(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtimes: Runtime[],
): Promise<WebhookOverhead> {
  const rows: Row[] = [];
  const peakRss: WebhookOverhead['peakRss'] = new Map();
  for (const runtime of runtimes) {
    const result = await runWebhookLoad(standIns, bundles, settings, runtime);
    rows.push(...overheadRows(runtime.label, result, settings));
    peakRss.set(runtime.label, {
      maxRssBytes: result.maxRssBytes,
      rssAfterInitBytes: result.rssAfterInitBytes,
    });
  }
  return {
    section: {
      title: `3. Webhook overhead (${settings.webhookRequests} sequential deliveries each, interleaved)`,
      rows,
      notes: [
        'Webhook: the deployed bundle’s handler given API Gateway v2 events with real Stripe signatures, in its own process on each runtime; bare: SendMessage of the body the webhook queues, on an SQS client configured the same, in the same process; both against the embedded SQS.',
      ],
    },
    peakRss,
  };
}

async function runWebhookLoad(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtime: Runtime,
) {
  const queueUrl = await standIns.createQueue(`bench-webhook-${runtime.label.replace(/\W/g, '')}`);
  const [setup] = await completedSetups(standIns, 1);
  if (!setup) throw new Error('no completed setup to template webhook deliveries on');
  const params: WebhookOverheadParams = {
    template: setup.event as unknown as WebhookOverheadParams['template'],
    webhookSecret: standIns.stripeStandIn.webhookSecret,
    queueUrl,
    requests: settings.webhookRequests,
    throughputRequests: settings.webhookThroughputRequests,
    concurrency: settings.webhookConcurrency,
  };
  return runLoadDriver<WebhookOverheadResult>(
    'webhook-overhead',
    bundles['stripe-webhook'].deployed,
    { ...standIns.functionEnv, QUEUE_URL: queueUrl, LOG_LEVEL: 'info' },
    params,
    runtime.execPath,
  );
}

function overheadRows(label: string, result: WebhookOverheadResult, settings: BenchSettings): Row[] {
  const p = (side: 'webhook' | 'bare', at: number) => percentile(result[side].latenciesMs, at);
  const p50Ratio = p('webhook', 50) / p('bare', 50);
  const rows: Row[] = [
    {
      figure: `${label}: verify + enqueue p50 / p99`,
      value: `${milliseconds(p('webhook', 50))} / ${milliseconds(p('webhook', 99))}`,
      target: '',
    },
    {
      figure: `${label}: bare SendMessage p50 / p99`,
      value: `${milliseconds(p('bare', 50))} / ${milliseconds(p('bare', 99))}`,
      target: '',
    },
    {
      figure: `${label}: p50 overhead (webhook ÷ bare SendMessage)`,
      value: times(p50Ratio),
      target: `≤ ${TARGET}×`,
      pass: p50Ratio <= TARGET,
      data: {
        webhookMs: { p50: p('webhook', 50), p99: p('webhook', 99) },
        bareMs: { p50: p('bare', 50), p99: p('bare', 99) },
        ratio: p50Ratio,
      },
    },
    {
      figure: `${label}: requests/s, ${settings.webhookConcurrency} in flight: webhook vs bare`,
      value: `${result.webhook.requestsPerSecond.toFixed(0)} vs ${result.bare.requestsPerSecond.toFixed(0)} = ${times(result.webhook.requestsPerSecond / result.bare.requestsPerSecond)}`,
      target: '',
      data: { webhook: result.webhook.requestsPerSecond, bare: result.bare.requestsPerSecond },
    },
  ];
  return rows;
}
