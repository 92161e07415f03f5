import { createDynamoDbStripeCallBudget } from '../../functions/checkout-api/stripe-call-budget';
import { createStripeGateway } from '../../functions/shared/adapters/stripe-gateway';
import { STRIPE_CALLS_PER_REQUEST } from '../../functions/shared/routes';
import { send } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Stripe limits requests per second per account, 25/s in test mode and 100/s live, shared by everything
 * using the account (https://docs.stripe.com/rate-limits), so one caller must not be able to spend it.
 * Oracle for what one request costs: the stand-in's own request log, which counts every /v1 request the
 * SDK sent. Oracle for paging: Subscriptions.d.ts `list` (`limit` at most 100, `has_more`, `starting_after`).
 */

const BURST = 30;
let stack: ServiceStack;
beforeAll(async () => {
  // The shipped defaults for the budget and the listing cache (functions/shared/config.ts).
  stack = await startServiceStack({
    env: {
      STRIPE_CALLS_PER_CALLER_PER_SECOND: '1',
      STRIPE_CALL_BURST_PER_CALLER: String(BURST),
      LISTING_CACHE_SECONDS: '5',
    },
  });
});
afterAll(() => stack.close());

const { api, makeDefault, savedCard, customerWithTwoCards, nextSecond } = savedMethodRequests(() => stack);
const stripeRequests = () =>
  stack.stripeStandIn.countRequests('GET', /^\/v1\//) + stack.stripeStandIn.countRequests('POST', /^\/v1\//);

describe('one caller cannot spend the account’s Stripe rate limit', () => {
  it('100 listings from one caller cost at most the bucket’s burst in Stripe requests', async () => {
    const { customerId } = await customerWithTwoCards();
    stack.stripeStandIn.clearRequests();
    const startedAt = Date.now();
    const replies = [];
    for (let wave = 0; wave < 5; wave++) {
      replies.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, () => send(api(`/payment-methods?customer=${customerId}`))),
        )),
      );
    }
    const seconds = (Date.now() - startedAt) / 1000;
    // The bound over 10 s (burst 20 + 10 s at 1 call/s); a faster run is bounded tighter still.
    expect(stripeRequests()).toBeLessThanOrEqual(Math.min(30, BURST + Math.ceil(seconds)));
    expect(replies.every((reply) => reply.status === 200 || reply.status === 429)).toBe(true);
    // The first is answered from Stripe, the rest mostly from the cache: the page keeps working.
    expect(replies.filter((reply) => reply.status === 200).length).toBeGreaterThan(50);
  }, 60_000);

  it('the budget is shared by every route that reaches Stripe and refused with 429 and Retry-After', async () => {
    const { customerId, first } = await customerWithTwoCards();
    // Each switch costs its Stripe calls; the bucket holds BURST of them.
    const perSwitch = STRIPE_CALLS_PER_REQUEST['POST /payment-methods/{id}/default'];
    const replies = [];
    for (let index = 0; index < BURST / perSwitch + 2; index++)
      replies.push(await makeDefault(customerId, first));
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.json.error.code).toBe('rate_limited');
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
    // The listing, another route, now finds the same bucket empty (its cache was invalidated by the switches).
    expect((await send(api(`/payment-methods?customer=${customerId}`))).status).toBe(429);
    await stack.drainQueue({ retryDelaySeconds: 0 });
  });

  it('the bucket refills continuously: no second burst at a window’s edge', async () => {
    let now = Date.UTC(2030, 0, 1, 0, 0, 59, 500);
    const budget = createDynamoDbStripeCallBudget(stack.dynamodb.client, {
      tableName: stack.dynamodb.tableName,
      callsPerSecond: 1,
      burst: 5,
      now: () => now,
    });
    const caller = `cus_refill${Date.now()}`;
    await budget.spend(caller, 5);
    await expect(budget.spend(caller, 1)).rejects.toMatchObject({ status: 429 });
    // A fixed one-minute window would start afresh here; the bucket has regained one call only.
    now += 1000;
    await budget.spend(caller, 1);
    await expect(budget.spend(caller, 1)).rejects.toMatchObject({ status: 429 });
    now += 5000;
    await budget.spend(caller, 5);
  });

  it('a customer’s own switch is never hidden by the listing cache', async () => {
    const { customerId, first, second } = await customerWithTwoCards();
    const before = await send(api(`/payment-methods?customer=${customerId}`));
    expect(before.json.customerDefault).toBe(second);
    await nextSecond();
    expect((await makeDefault(customerId, first)).status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    const after = await send(api(`/payment-methods?customer=${customerId}`));
    expect(after.json.customerDefault).toBe(first);
  });

  it('a card saved through Checkout shows as the default at once, even with a listing cached just before', async () => {
    // The billing page's "Add a card": the list is loaded, Checkout saves a card within seconds, the worker
    // makes it the default, and the page reloads the list. No switch or removal marked the cache: the
    // worker's record of the new default must be what makes the cached list stale.
    const { customerId, second } = await customerWithTwoCards();
    const before = await send(api(`/payment-methods?customer=${customerId}`));
    expect(before.json.customerDefault).toBe(second);
    const third = await savedCard(customerId, undefined, '4000056655665556');
    const after = await send(api(`/payment-methods?customer=${customerId}`));
    expect(after.json.customerDefault).toBe(third);
    expect(after.json.data.map((method: { id: string }) => method.id)).toContain(third);
  });

  it('the listing reads at most two pages of a customer’s subscriptions', async () => {
    const customer = await stack.stripe.customers.create({ email: 'many-subscriptions@example.com' });
    for (let index = 0; index < 201; index++) {
      await stack.stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_basic' }] });
    }
    stack.stripeStandIn.clearRequests();
    const capped = createStripeGateway(async () => stack.stripe, { maxSubscriptionPages: 2 });
    const listing = await capped.listSubscriptionDefaults(customer.id);
    expect(listing.subscriptions).toHaveLength(200);
    expect(listing.complete).toBe(false);
    expect(stack.stripeStandIn.countRequests('GET', /^\/v1\/subscriptions/)).toBe(2);
    // A removal cannot then be checked for the subscriptions left unread: it must name a replacement.
    const card = await stack.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const removal = await send(api(`/payment-methods/${card.id}?customer=${customer.id}`), {
      method: 'DELETE',
    });
    expect(removal.status).toBe(409);
  });
});
