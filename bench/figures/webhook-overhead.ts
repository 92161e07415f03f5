import type { WebhookOverheadParams, WebhookOverheadResult } from '../load/webhook-overhead';
import type { BenchSettings } from '../settings';
import type { Bundles } from '../support/bundles';
import { runLoadDriver } from '../support/child';
import { milliseconds, type Row, type Section, times } from '../support/report';
import { completedSetups } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { percentile } from '../support/stats';

const TARGET = 1.3;

export interface WebhookOverhead {
  section: Section;
  peakRss: { maxRssBytes: number; rssAfterInitBytes: number };
}

/**
 * Verify + enqueue against a bare SendMessage of the same body, both in one child process running the
 * deployed bundle (its `handler` is `wireStripeWebhook(process.env)`), both against the embedded SQS.
 */
export async function measureWebhookOverhead(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
): Promise<WebhookOverhead> {
  const queueUrl = await standIns.createQueue('bench-webhook');
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
  const result = await runLoadDriver<WebhookOverheadResult>(
    'webhook-overhead',
    bundles['stripe-webhook'].deployed,
    { ...standIns.functionEnv, QUEUE_URL: queueUrl, LOG_LEVEL: 'info' },
    params,
  );
  const p = (side: 'webhook' | 'bare', at: number) => percentile(result[side].latenciesMs, at);
  const p50Ratio = p('webhook', 50) / p('bare', 50);
  const rows: Row[] = [
    {
      figure: 'verify + enqueue p50 / p99',
      value: `${milliseconds(p('webhook', 50))} / ${milliseconds(p('webhook', 99))}`,
      target: '',
    },
    {
      figure: 'bare SendMessage p50 / p99',
      value: `${milliseconds(p('bare', 50))} / ${milliseconds(p('bare', 99))}`,
      target: '',
    },
    {
      figure: 'p50 overhead (webhook ÷ bare SendMessage)',
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
      figure: `requests/s, ${settings.webhookConcurrency} in flight: webhook vs bare`,
      value: `${result.webhook.requestsPerSecond.toFixed(0)} vs ${result.bare.requestsPerSecond.toFixed(0)} = ${times(result.webhook.requestsPerSecond / result.bare.requestsPerSecond)}`,
      target: '',
      data: { webhook: result.webhook.requestsPerSecond, bare: result.bare.requestsPerSecond },
    },
  ];
  return {
    section: {
      title: `3. Webhook overhead (${settings.webhookRequests} sequential deliveries each, interleaved)`,
      rows,
      notes: [
        'Webhook: the deployed bundle’s handler given API Gateway v2 events with real Stripe signatures, in its own process; bare: SendMessage of the body the webhook queues, on an SQS client configured the same, in the same process; both against the embedded SQS.',
      ],
    },
    peakRss: { maxRssBytes: result.maxRssBytes, rssAfterInitBytes: result.rssAfterInitBytes },
  };
}
