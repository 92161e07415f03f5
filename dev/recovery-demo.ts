import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import { DEMO_PAGE_HEADERS, escapeHtml } from './html';
import type { PutEventsEntry } from './local-aws/eventbridge';

/**
 * The recovery demo: a customer on a Stripe Test Clock whose card (4000 0000 0000 0341,
 * `pm_card_chargeCustomerFail`) saves but fails when charged, on a 7-day trial. Advancing the clock past the
 * trial's end makes the renewal fail (https://docs.stripe.com/billing/testing/test-clocks), and the service
 * answers with a `Payment method update needed` event carrying an update link.
 */
export interface RenewalDemo {
  clockId: string;
  customerId: string;
  subscriptionId: string;
}

export interface OutcomeEventRecord {
  detailType: string;
  receivedAt: string;
  detail: Record<string, unknown>;
}

const DAY = 24 * 60 * 60;

export async function seedRenewalDemo(stripe: Stripe): Promise<RenewalDemo> {
  const clock = await stripe.testHelpers.testClocks.create({
    frozen_time: Math.floor(Date.now() / 1000),
    name: 'Renewal demo',
  });
  const customer = await stripe.customers.create({
    name: 'Rita Renewal',
    email: 'rita@example.com',
    test_clock: clock.id,
  });
  const card = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_demo_pro_monthly' }],
    trial_period_days: 7,
  });
  return { clockId: clock.id, customerId: customer.id, subscriptionId: subscription.id };
}

/** Past the trial's end and the hour Stripe waits before charging the first invoice. */
export async function advancePastTrial(stripe: Stripe, demo: RenewalDemo): Promise<void> {
  const clock = await stripe.testHelpers.testClocks.retrieve(demo.clockId);
  await stripe.testHelpers.testClocks.advance(demo.clockId, { frozen_time: clock.frozen_time + 8 * DAY });
}

export function outcomeEventRecord(entry: PutEventsEntry): OutcomeEventRecord {
  return {
    detailType: entry.DetailType,
    receivedAt: new Date().toISOString(),
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
  };
}

/** One line on stdout per outcome event, as the SaaS's EventBridge rule would see it. */
export function describeOutcomeEvent(record: OutcomeEventRecord): string {
  return `outcome event  ${record.detailType}  ${JSON.stringify(record.detail)}\n`;
}

export function renderRecoveryDemo(demo: RenewalDemo, events: readonly OutcomeEventRecord[]): string {
  const mine = events.filter((event) => event.detail.customerId === demo.customerId);
  const rows = mine
    .map((event) => {
      const url = typeof event.detail.updateUrl === 'string' ? event.detail.updateUrl : undefined;
      return `<li><strong>${escapeHtml(event.detailType)}</strong> ${escapeHtml(event.detail.reason ?? event.detail.status ?? '')}
${url ? `<br>Update link: <a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : ''}</li>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recovery demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}li{margin:.6rem 0;word-break:break-all}</style>
</head><body>
<h1>A renewal that fails, and the link that fixes it</h1>
<p>${escapeHtml('Rita Renewal')} (<code>${escapeHtml(demo.customerId)}</code>) is on a 7-day trial of
<code>${escapeHtml(demo.subscriptionId)}</code>, on a Stripe Test Clock, with card 4000 0000 0000 0341: it saves,
but every charge is declined.</p>
<form method="post" action="/_dev/advance-clock"><button type="submit">Advance the clock 8 days (past the trial)</button></form>
<p>The renewal fails; the service sends <em>Payment method update needed</em> with an update link. Open the link
(no login), pay with <code>4242 4242 4242 4242</code>: the failed invoice is paid and both defaults move to the
new card. All outcome events: <a href="/_dev/outcome-events">/_dev/outcome-events</a>.</p>
<h2>Outcome events for this customer</h2>
<ul>${rows || '<li>None yet: advance the clock, then reload in a few seconds.</li>'}</ul>
</body></html>`;
}

export interface RecoveryRoutes {
  demo?: RenewalDemo;
  stripe: Stripe;
  events: readonly OutcomeEventRecord[];
}

/**
 * `GET /_dev/outcome-events` (JSON, newest first), `GET /recovery` (the demo page) and
 * `POST /_dev/advance-clock` (the demo's button). True when the request was one of them.
 */
export async function serveRecoveryRoutes(
  request: IncomingMessage,
  response: ServerResponse,
  routes: RecoveryRoutes,
): Promise<boolean> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'GET' && path === '/_dev/outcome-events') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify([...routes.events].reverse()));
    return true;
  }
  if (!routes.demo) return false;
  if (request.method === 'GET' && path === '/recovery') {
    response.writeHead(200, DEMO_PAGE_HEADERS);
    response.end(renderRecoveryDemo(routes.demo, routes.events));
    return true;
  }
  if (request.method === 'POST' && path === '/_dev/advance-clock') {
    await advancePastTrial(routes.stripe, routes.demo);
    response.writeHead(303, { location: '/recovery', 'cache-control': 'no-store' });
    response.end();
    return true;
  }
  return false;
}
