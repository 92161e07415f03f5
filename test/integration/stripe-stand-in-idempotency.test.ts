import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { caughtStripeError, STAND_IN_CONTROL_HEADERS } from '../support/stand-in-requests';

/*
 * The stand-in's idempotency keys as Stripe documents them (https://docs.stripe.com/api/idempotent_requests):
 * "Stripe's idempotency works by saving the resulting status code and body of the first request made for any
 * given idempotency key, regardless of whether it succeeds or fails. Subsequent requests with the same key
 * return the same result, including 500 errors." "Results are only saved if an API endpoint began executing. If
 * incoming parameters failed validation, or the request conflicted with another that was executing
 * concurrently, no idempotent result is saved." "Keys are eligible to be removed from the system automatically
 * after they're at least 24 hours old." A key reused with other parameters is `idempotency_error`
 * (StripeIdempotencyError in the SDK's Error.js).
 */

let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = new Stripe('sk_test_standin', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterEach(() => standIn.reset());
afterAll(() => standIn.close());

const DAY = 24 * 60 * 60;

describe('an answer saved under its key', () => {
  it('executed, then 500: the effect happened, and every retry with the key is replayed the same 500', async () => {
    standIn.faults.add({ method: 'POST', path: /^\/v1\/customers$/, status: 500, phase: 'executed' });
    const first = await caughtStripeError(
      stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'k' }),
    );
    expect(first).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(standIn.store.customers.size).toBe(1);
    // The SDK's own retries reuse the key: each is the saved 500, not a new execution.
    const retrying = new Stripe('sk_test_standin', { ...standIn.sdkOptions, maxNetworkRetries: 2 });
    const replayed = await caughtStripeError(
      retrying.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'k' }),
    );
    expect(replayed.statusCode).toBe(500);
    expect(standIn.requests.map((entry) => [entry.status, entry.replayed])).toEqual([
      [500, false],
      [500, true],
      [500, true],
      [500, true],
    ]);
    expect(standIn.store.customers.size).toBe(1);
    expect(standIn.savedIdempotentAnswer('k')?.status).toBe(500);
  });

  it('a fault before execution saves nothing: the retry with the key executes', async () => {
    standIn.faults.add({ method: 'POST', path: /^\/v1\/customers$/, status: 500 });
    await caughtStripeError(stripe.customers.create({}, { idempotencyKey: 'k' }));
    expect(standIn.savedIdempotentAnswer('k')).toBeUndefined();
    expect((await stripe.customers.create({}, { idempotencyKey: 'k' })).object).toBe('customer');
  });

  it('a declined charge (402) is saved: the endpoint began executing', async () => {
    const customer = await stripe.customers.create({});
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_monthly' }],
      payment_behavior: 'default_incomplete',
    });
    const card = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    const pay = () =>
      stripe.invoices.pay(
        subscription.latest_invoice as string,
        { payment_method: card.id },
        { idempotencyKey: 'p' },
      );
    expect(await caughtStripeError(pay())).toMatchObject({ statusCode: 402, code: 'card_declined' });
    expect(await caughtStripeError(pay())).toMatchObject({ statusCode: 402 });
    expect(
      standIn.requests.filter((entry) => entry.path.endsWith('/pay')).map((entry) => entry.replayed),
    ).toEqual([false, true]);
  });
});

describe('answers that are not saved', () => {
  it('a validation 400 is not saved: the same key with valid parameters executes', async () => {
    const invalid = await caughtStripeError(
      stripe.customers.create({ colour: 'blue' } as Stripe.CustomerCreateParams, { idempotencyKey: 'v' }),
    );
    expect(invalid).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    expect(standIn.savedIdempotentAnswer('v')).toBeUndefined();
  });

  it('a rate-limited 429 is not saved', async () => {
    standIn.setRateLimit(1);
    await stripe.customers.list();
    expect(await caughtStripeError(stripe.customers.create({}, { idempotencyKey: 'r' }))).toMatchObject({
      statusCode: 429,
    });
    expect(standIn.savedIdempotentAnswer('r')).toBeUndefined();
  });

  it('the same key with other parameters is idempotency_error, and that refusal is not saved either', async () => {
    await stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: 'x' });
    const other = await caughtStripeError(
      stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey: 'x' }),
    );
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(standIn.savedIdempotentAnswer('x')?.status).toBe(200);
  });
});

describe('retention', () => {
  it('a key is forgotten after 24 hours: reusing it executes a new request', async () => {
    const first = await stripe.customers.create({}, { idempotencyKey: 'old' });
    standIn.advanceClock(DAY - 60);
    expect((await stripe.customers.create({}, { idempotencyKey: 'old' })).id).toBe(first.id);
    standIn.advanceClock(120);
    expect((await stripe.customers.create({}, { idempotencyKey: 'old' })).id).not.toBe(first.id);
  });

  it('the retention scales for drills on a compressed clock (and over HTTP)', async () => {
    const answer = await fetch(`${standIn.url}/_stand-in/idempotency`, {
      method: 'POST',
      headers: STAND_IN_CONTROL_HEADERS,
      body: JSON.stringify({ retentionSeconds: 1 }),
    });
    expect(answer.status).toBe(200);
    standIn.faults.add({ method: 'POST', path: /^\/v1\/customers$/, status: 500, phase: 'executed' });
    await caughtStripeError(stripe.customers.create({}, { idempotencyKey: 'drill' }));
    expect(await caughtStripeError(stripe.customers.create({}, { idempotencyKey: 'drill' }))).toMatchObject({
      statusCode: 500,
    });
    standIn.advanceClock(2);
    expect((await stripe.customers.create({}, { idempotencyKey: 'drill' })).object).toBe('customer');
  });
});
