import { send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * One signed-in customer floods `GET /payment-methods` (each listing reads the customer's methods, the
 * customer and their subscriptions: three Stripe requests for a customer with fewer than 100
 * subscriptions). Stripe limits requests per account, 25/s in test mode and 100/s live, shared by everything
 * using the account (https://docs.stripe.com/rate-limits), so what one caller can cause must be bounded:
 * 200 listings within 10 s cause at most 30 Stripe requests.
 *
 * Wired as deployed: JWT auth (one token), the shipped per-caller budget (30 Stripe calls of burst, 1 call/s
 * of refill: functions/shared/config.ts readStripeCallBudget), the real session API handler behind the local
 * HTTP API, against the Stripe stand-in. The listing cache is off, as if every request reached a different
 * Lambda instance (the cache is per instance): the table's bucket alone must hold the line. Oracle: the
 * stand-in's request log, which records every /v1 request the SDK sent, with its arrival time.
 */

const SHIPPED_BUDGET = { STRIPE_CALLS_PER_CALLER_PER_SECOND: '1', STRIPE_CALL_BURST_PER_CALLER: '30' };
const LISTINGS = 200;
const IN_FLIGHT = 25;
const WINDOW_MS = 10_000;
const MOST_STRIPE_REQUESTS = 30;

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({ auth: true, env: { ...SHIPPED_BUDGET, LISTING_CACHE_SECONDS: '0' } });
});
afterAll(() => stack.close());

it('200 listings from one caller, as fast as it can send them, cause at most 30 Stripe requests', async () => {
  const customer = await stack.stripe.customers.create({ email: 'flood@example.com' });
  await stack.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const token = await stack.issuer?.tokenFor(customer.id);
  if (!token) throw new Error('the stack has no issuer');
  stack.stripeStandIn.clearRequests();

  const statuses: number[] = [];
  const startedAt = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < LISTINGS) {
        next += 1;
        const reply = await send(`${stack.api.url}/payment-methods`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(reply.status);
      }
    }),
  );
  const elapsedMs = Date.now() - startedAt;

  const stripeRequests = stack.stripeStandIn.requests.filter((request) => request.path.startsWith('/v1/'));
  // Within 10 s of the first request sent: the bound the budget promises (burst 30 + 10 s × 1 call/s = 40
  // calls charged, 4 a listing: at most 10 listings, 3 Stripe requests each).
  const withinWindow = stripeRequests.filter((request) => request.at - startedAt < WINDOW_MS);
  expect({ listings: statuses.length, stripeRequests: withinWindow.length }).toEqual({
    listings: LISTINGS,
    stripeRequests: expect.any(Number),
  });
  expect(withinWindow.length).toBeLessThanOrEqual(MOST_STRIPE_REQUESTS);
  // And over the whole run: the burst plus one call a second (each listing is charged its worst case, 4).
  const charged = 30 + Math.ceil(elapsedMs / 1000);
  expect(stripeRequests.length).toBeLessThanOrEqual(Math.floor(charged / 4) * 3);
  // Refused requests are API answers (429 with Retry-After), never errors; the page is not starved.
  expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
  expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
}, 60_000);
