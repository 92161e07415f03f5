import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { STAND_IN_CONTROL_HEADERS } from '../support/stand-in-requests';

let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = new Stripe('sk_test_ratelimit', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(() => standIn.close());
afterEach(() => standIn.reset());

async function outcome(call: Promise<unknown>): Promise<'ok' | Stripe.errors.StripeError> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
}

describe('the stand-in rate limit', () => {
  it('refuses requests beyond the limit with Stripe’s 429 rate_limit error, logged as rate limited', async () => {
    standIn.setRateLimit(3);
    const results = await Promise.all(Array.from({ length: 5 }, () => outcome(stripe.customers.create())));

    expect(results.filter((result) => result === 'ok')).toHaveLength(3);
    const refused = results.filter((result) => result !== 'ok');
    expect(refused).toHaveLength(2);
    for (const error of refused) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit', type: 'StripeRateLimitError' });
    }
    expect(standIn.requests.map((entry) => [entry.status, entry.rateLimited ?? false]).sort()).toEqual([
      [200, false],
      [200, false],
      [200, false],
      [429, true],
      [429, true],
    ]);
    expect(standIn.store.customers.size).toBe(3);
  });

  it('the window slides: a second after the limit was reached, requests are served again', async () => {
    standIn.setRateLimit(2);
    expect(await outcome(stripe.customers.create())).toBe('ok');
    expect(await outcome(stripe.customers.create())).toBe('ok');
    expect(await outcome(stripe.customers.create())).toBeInstanceOf(Stripe.errors.StripeRateLimitError);

    await sleep(1100);
    expect(await outcome(stripe.customers.create())).toBe('ok');
  });

  it('a refused request is not stored under its idempotency key, so the same key succeeds later', async () => {
    standIn.setRateLimit(1);
    await stripe.customers.create();
    const key = 'bench-retry-key';
    expect(
      await outcome(stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: key })),
    ).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    await sleep(1100);
    const customer = await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: key });
    expect(customer.email).toBe('a@example.com');
    expect(
      standIn.requests.filter((entry) => entry.idempotencyKey === key).map((entry) => entry.status),
    ).toEqual([429, 200]);
    expect(standIn.requests.at(-1)?.replayed).toBe(false);
  });

  it('requests without a valid API key are refused as unauthenticated and do not use the budget', async () => {
    standIn.setRateLimit(1);
    const unauthenticated = new Stripe('sk_bad', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
    expect(await outcome(unauthenticated.customers.create())).toMatchObject({ statusCode: 401 });
    expect(await outcome(stripe.customers.create())).toBe('ok');
  });

  it('is off by default, turned off with undefined, and settable through the control API', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => outcome(stripe.customers.create())));
    expect(results.every((result) => result === 'ok')).toBe(true);

    const control = (requestsPerSecond: number | null) =>
      fetch(`${standIn.url}/_stand-in/rate-limit`, {
        method: 'POST',
        headers: STAND_IN_CONTROL_HEADERS,
        body: JSON.stringify({ requestsPerSecond }),
      });
    expect((await control(1)).status).toBe(200);
    await stripe.customers.create();
    expect(await outcome(stripe.customers.create())).toBeInstanceOf(Stripe.errors.StripeRateLimitError);

    expect((await control(null)).status).toBe(200);
    expect(await outcome(stripe.customers.create())).toBe('ok');
    expect((await control(0)).status).toBe(400);
  });
});

// Rate limits (https://docs.stripe.com/rate-limits): endpoint-specific limits apply beside the account's.
describe('the per-endpoint rate limit', () => {
  it('refuses a busy endpoint with 429 rate_limit while another endpoint still answers; off by default', async () => {
    standIn.setEndpointRateLimit(2);
    const creates = await Promise.all(Array.from({ length: 4 }, () => outcome(stripe.customers.create())));
    expect(creates.filter((result) => result === 'ok')).toHaveLength(2);
    const refused = creates.find((result) => result !== 'ok');
    expect(refused).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(await outcome(stripe.customers.list())).toBe('ok');
    standIn.reset();
    const unlimited = await Promise.all(Array.from({ length: 4 }, () => outcome(stripe.customers.create())));
    expect(unlimited.every((result) => result === 'ok')).toBe(true);
  });
});
