import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toHttpApiEvent } from '../../dev/http-api/event';
import { readStripeCallBudget } from '../../functions/shared/config';
import { type CHECKOUT_API_ROUTES, STRIPE_CALLS_PER_REQUEST } from '../../functions/shared/routes';
import { CAPACITY_DEFAULTS, planCapacity } from '../../lib/capacity';
import type { BenchSettings } from '../settings';
import { createSessionEvent, sessionStatusEvent } from '../support/http-events';
import { wireQuietCheckoutApi } from '../support/quiet-checkout-api';
import type { Row, Section } from '../support/report';
import type { BenchStandIns } from '../support/stand-ins';

/** Requests one caller keeps in flight: a script hammering a route, not a browser. */
const IN_FLIGHT = 8;

type Route = (typeof CHECKOUT_API_ROUTES)[number];
/** A fresh customer with a subscription paid by one card and a second card saved. */
interface Caller {
  customerId: string;
  subscriptionId: string;
  cards: [string, string];
}

const event = (
  method: string,
  url: string,
  routeKey: Route,
  extra: Partial<Parameters<typeof toHttpApiEvent>[0]> = {},
) => toHttpApiEvent({ method, url, routeKey, ...extra });

/**
 * What one request of each route looks like for a caller, and what must exist before it is hammered (a
 * session to poll, a link to open). Made through the handler itself, before the count starts.
 */
type Prepare = (
  caller: Caller,
  handler: ReturnType<typeof wireQuietCheckoutApi>,
) => Promise<(index: number) => APIGatewayProxyEventV2>;

const REQUESTS: Record<
  // Routes that never reach Stripe have nothing to hammer it with.
  Exclude<Route, 'GET /payment-methods/changes/{id}' | 'DELETE /update-links/{id}' | 'POST /form-tokens'>,
  Prepare
> = {
  'POST /checkout-sessions': async (caller) => () =>
    createSessionEvent(caller.customerId, caller.subscriptionId),
  'POST /create-checkout-session': async (caller) => () =>
    event('POST', '/create-checkout-session', 'POST /create-checkout-session', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        customer: caller.customerId,
        subscription: caller.subscriptionId,
      }).toString(),
    }),
  'GET /checkout-sessions/{id}': async (caller, handler) => {
    const created = await handler(createSessionEvent(caller.customerId, caller.subscriptionId));
    const sessionId = JSON.parse(created.body ?? '{}').id as string;
    return () => sessionStatusEvent(sessionId, caller.customerId);
  },
  'GET /payment-methods': async (caller) => () =>
    event('GET', `/payment-methods?customer=${caller.customerId}`, 'GET /payment-methods'),
  'POST /payment-methods/{id}/default': async (caller) => (index) => {
    const card = caller.cards[index % 2] as string;
    return event('POST', `/payment-methods/${card}/default`, 'POST /payment-methods/{id}/default', {
      pathParameters: { id: card },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: caller.customerId }),
    });
  },
  'DELETE /payment-methods/{id}': async (caller) => () => {
    const [kept, removed] = caller.cards;
    return event(
      'DELETE',
      `/payment-methods/${removed}?customer=${caller.customerId}&replaceWith=${kept}`,
      'DELETE /payment-methods/{id}',
      { pathParameters: { id: removed } },
    );
  },
  'GET /u/{token}': async (caller, handler) => {
    const minted = await handler(mintEvent(caller));
    const token = new URL(JSON.parse(minted.body ?? '{}').url as string).pathname.split('/').pop() as string;
    return () => event('GET', `/u/${token}`, 'GET /u/{token}', { pathParameters: { token } });
  },
  'POST /update-links': async (caller) => () => mintEvent(caller),
};

function mintEvent(caller: Caller): APIGatewayProxyEventV2 {
  return event('POST', '/update-links', 'POST /update-links', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: caller.customerId, subscription: caller.subscriptionId }),
  });
}

/**
 * One caller hammering each route that reaches Stripe, as fast as `IN_FLIGHT` requests at a time allow,
 * for a fixed time per route: the real session API handler (in this process) against the Stripe stand-in,
 * with the per-caller Stripe-call budget as shipped (the token bucket in the table). The listing cache is
 * off, as if every request reached another Lambda instance (the cache is per instance). The bound: the
 * bucket's burst plus its refill over the run, in Stripe calls (https://docs.stripe.com/rate-limits counts
 * requests per account, so the budget counts Stripe calls, not API requests).
 */
export async function measureRouteHammer(standIns: BenchStandIns, settings: BenchSettings): Promise<Section> {
  const seconds = settings.hammerSecondsPerRoute;
  const queueUrl = await standIns.createQueue('bench-route-hammer');
  const handler = wireQuietCheckoutApi({
    ...standIns.functionEnv,
    QUEUE_URL: queueUrl,
    LISTING_CACHE_SECONDS: '0',
  });
  const budget = readStripeCallBudget({}, Math.max(...Object.values(STRIPE_CALLS_PER_REQUEST)));
  const live = planCapacity({ stripeMode: 'live', ...CAPACITY_DEFAULTS });
  if ('refused' in live) throw new Error(live.refused);
  const most = Math.floor(budget.burst + budget.callsPerSecond * seconds);
  const rows: Row[] = [];
  for (const [route, prepare] of Object.entries(REQUESTS) as [Route, Prepare][]) {
    const caller = await newCaller(standIns);
    const next = await prepare(caller, handler);
    standIns.stripeStandIn.clearRequests();
    const statuses = new Map<number, number>();
    const endsAt = Date.now() + seconds * 1000;
    let index = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (Date.now() < endsAt) {
          const reply = await handler(next(index++));
          const status = reply.statusCode ?? 0;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const stripeRequests = standIns.stripeStandIn.requests.filter((request) =>
      request.path.startsWith('/v1/'),
    ).length;
    const routeThrottle = live.routeThrottles[route]?.rateLimit;
    rows.push({
      figure: `${route} (${STRIPE_CALLS_PER_REQUEST[route]} Stripe calls charged a request; live route throttle ${routeThrottle}/s for all callers)`,
      value: `${stripeRequests} Stripe requests from ${index} requests in ${seconds} s; answers ${[...statuses].map(([status, count]) => `${count} × ${status}`).join(', ')}`,
      target: `≤ ${most} (burst ${budget.burst} + ${budget.callsPerSecond}/s × ${seconds} s)`,
      pass: stripeRequests <= most && (statuses.get(500) ?? 0) === 0,
      data: { route, stripeRequests, requests: index, seconds, statuses: Object.fromEntries(statuses) },
    });
  }
  return {
    title: `11. Stripe requests caused by one caller hammering each route (${seconds} s each, ${IN_FLIGHT} in flight)`,
    rows,
    notes: [
      'One caller hammering: the real session API handler, the per-caller Stripe-call budget as shipped (STRIPE_CALLS_PER_CALLER_PER_SECOND 1, STRIPE_CALL_BURST_PER_CALLER 30), the listing cache off (as if each request reached another instance); each route with a fresh customer. Stripe requests as the stand-in logged them; the preparation (a session to poll, a link to open) is made before the count starts. The route throttles (lib/capacity.ts, live defaults) bound all callers together at API Gateway, which the bench does not run.',
    ],
  };
}

async function newCaller(standIns: BenchStandIns): Promise<Caller> {
  const { stripe } = standIns;
  const customer = await stripe.customers.create({ email: `hammer-${Date.now()}@example.com` });
  const first = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const second = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: first.id } });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_basic' }],
    default_payment_method: first.id,
  });
  return { customerId: customer.id, subscriptionId: subscription.id, cards: [first.id, second.id] };
}
