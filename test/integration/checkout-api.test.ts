import { toHttpApiEvent } from '../../dev/http-api/event';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { customerWithSubscription } from '../support/fixtures';
import { postForm, postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());
afterEach(() => stack.stripeStandIn.faults.clear());

const sessionsUrl = () => `${stack.api.url}/checkout-sessions`;

describe('POST /checkout-sessions', () => {
  it('creates a setup-mode session carrying the customer and subscription as the guide does', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const reply = await postJson(sessionsUrl(), { customer: customer.id, subscription: subscription.id });
    expect(reply.status).toBe(201);

    const session = await stack.stripe.checkout.sessions.retrieve(reply.json.id, {
      expand: ['setup_intent'],
    });
    expect(session).toMatchObject({
      mode: 'setup',
      customer: customer.id,
      currency: 'usd',
      cancel_url: 'https://app.example.com/billing',
      metadata: {
        customer_id: customer.id,
        subscription_id: subscription.id,
        created_by: 'stripe-setup-mode-service',
        // The HMAC that proves this service chose the pair (functions/shared/setup-proof.ts).
        setup_proof: expect.stringMatching(/^v1\.[\w-]{43}$/),
      },
    });
    expect(session.success_url).toBe(
      'https://app.example.com/billing/updated?session_id={CHECKOUT_SESSION_ID}',
    );
    expect(session.url).toBe(reply.json.url);
    const intent = session.setup_intent as { metadata: Record<string, string> };
    expect(intent.metadata).toEqual(session.metadata);
  });

  it('passes the caller’s own redirect URLs and currency', async () => {
    const customer = await stack.stripe.customers.create({});
    const reply = await postJson(sessionsUrl(), {
      customer: customer.id,
      successUrl: 'https://shop.example.com/thanks?from=billing',
      cancelUrl: 'https://shop.example.com/cancelled',
      currency: 'EUR',
    });
    expect(reply.status).toBe(201);
    const session = await stack.stripe.checkout.sessions.retrieve(reply.json.id);
    expect(session.success_url).toBe(
      'https://shop.example.com/thanks?from=billing&session_id={CHECKOUT_SESSION_ID}',
    );
    expect(session.cancel_url).toBe('https://shop.example.com/cancelled');
    expect(session.currency).toBe('eur');
  });

  it('refuses another customer’s subscription with 403 and creates no session', async () => {
    const { subscription } = await customerWithSubscription(stack.stripe);
    const intruder = await stack.stripe.customers.create({});
    stack.stripeStandIn.clearRequests();
    const reply = await postJson(sessionsUrl(), { customer: intruder.id, subscription: subscription.id });
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('subscription_not_owned');
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/checkout\/sessions$/)).toBe(0);
  });

  it('answers 404 for a subscription or customer Stripe does not know', async () => {
    const customer = await stack.stripe.customers.create({});
    const noSubscription = await postJson(sessionsUrl(), {
      customer: customer.id,
      subscription: 'sub_missing',
    });
    expect(noSubscription.status).toBe(404);
    expect(noSubscription.json.error.code).toBe('subscription_not_found');
    const noCustomer = await postJson(sessionsUrl(), { customer: 'cus_missing' });
    expect(noCustomer.status).toBe(404);
    expect(noCustomer.json.error).toEqual({
      code: 'resource_missing',
      message: expect.stringContaining('customer'),
    });
  });

  it.each([
    ['malformed JSON', '{"customer": ', 'invalid_json'],
    ['a JSON array', '[]', 'invalid_request'],
    ['no customer', {}, 'customer_required'],
    ['a customer id of the wrong kind', { customer: 'sub_123' }, 'invalid_request'],
    ['an unknown field', { customer: 'cus_1', successURL: 'https://x.example' }, 'invalid_request'],
    ['a relative success URL', { customer: 'cus_1', successUrl: '/done' }, 'invalid_request'],
    ['a javascript: URL', { customer: 'cus_1', cancelUrl: 'javascript:alert(1)' }, 'invalid_request'],
    ['a bad currency', { customer: 'cus_1', currency: 'dollars' }, 'invalid_request'],
  ])('%s → 400 with a JSON error naming the problem', async (_label, body, code) => {
    const reply = await postJson(sessionsUrl(), body);
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe(code);
    expect(reply.json.error.message.length).toBeGreaterThan(5);
  });

  it('names the offending field in the message', async () => {
    const reply = await postJson(sessionsUrl(), { customer: 'cus_1', successURL: 'https://x.example' });
    expect(reply.json.error.message).toContain('successURL');
    const bad = await postJson(sessionsUrl(), { customer: 'nope' });
    expect(bad.json.error.message).toContain('customer');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const reply = await send(sessionsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(reply.status).toBe(415);
    expect(reply.json.error.code).toBe('unsupported_media_type');
  });

  it('maps Stripe being down to 502 and Stripe rate limiting to 503, never a raw 500', async () => {
    const customer = await stack.stripe.customers.create({});
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: /^\/v1\/checkout\/sessions$/,
      status: 500,
      times: 3,
    });
    const down = await postJson(sessionsUrl(), { customer: customer.id });
    expect(down.status).toBe(502);
    expect(down.json.error.code).toBe('stripe_unavailable');

    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: /^\/v1\/checkout\/sessions$/,
      status: 429,
      times: 3,
    });
    const busy = await postJson(sessionsUrl(), { customer: customer.id });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
  });

  // "Set up future payments" (Checkout): the methods offered follow the session's currency, and a
  // subscription's invoices can be paid only with its payment_settings.payment_method_types when set.
  it('a session for a EUR subscription is in EUR and offers only the methods the subscription accepts', async () => {
    const customer = await stack.stripe.customers.create({});
    const subscription = await stack.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
      currency: 'eur',
      payment_settings: { payment_method_types: ['card', 'sepa_debit'] },
    });
    const reply = await postJson(sessionsUrl(), { customer: customer.id, subscription: subscription.id });
    expect(reply.status).toBe(201);
    const session = await stack.stripe.checkout.sessions.retrieve(reply.json.id);
    expect(session.currency).toBe('eur');
    expect(session.allowed_payment_method_types).toEqual(['card', 'sepa_debit']);

    const mismatch = await postJson(sessionsUrl(), {
      customer: customer.id,
      subscription: subscription.id,
      currency: 'usd',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error.code).toBe('currency_mismatch');
  });

  // Stripe's API reference (Errors): 409 Conflict is "the request conflicts with another request"; the SDK
  // raises it as a StripeAPIError (stripe/cjs/Error.js generateV1Error), which must not read as an outage.
  it('maps a 409 conflict that outlasts the SDK’s retries to 503 with Retry-After, not 502', async () => {
    const customer = await stack.stripe.customers.create({});
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: /^\/v1\/checkout\/sessions$/,
      status: 409,
      times: 3,
    });
    const conflict = await postJson(sessionsUrl(), { customer: customer.id });
    expect(conflict.status).toBe(503);
    expect(conflict.json.error.code).toBe('stripe_busy');
    expect(conflict.headers.get('retry-after')).toBe('1');
  });
});

describe('POST /create-checkout-session (the seed’s HTML form)', () => {
  it('answers 303 See Other to the session URL', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const reply = await postForm(`${stack.api.url}/create-checkout-session`, {
      customer: customer.id,
      subscription: subscription.id,
    });
    expect(reply.status).toBe(303);
    const location = reply.headers.get('location') ?? '';
    const sessions = await stack.stripe.checkout.sessions.list({ limit: 1 });
    expect(location).toBe(sessions.data[0]?.url);
    expect(sessions.data[0]?.metadata).toMatchObject({
      customer_id: customer.id,
      subscription_id: subscription.id,
    });
  });

  it('a malformed form gets a 400 JSON error', async () => {
    const reply = await postForm(`${stack.api.url}/create-checkout-session`, { customer: '<script>' });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toEqual({
      code: 'invalid_request',
      message: expect.stringContaining('customer'),
    });
  });
});

describe('GET /checkout-sessions/{id}', () => {
  it('answers 404 for an unknown session and 400 for something that is not a session id', async () => {
    const missing = await send(`${sessionsUrl()}/cs_test_doesnotexist`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('session_not_found');
    const malformed = await send(`${sessionsUrl()}/pi_123`);
    expect(malformed.status).toBe(400);
  });

  it('hides a session from a caller who names a different customer', async () => {
    const customer = await stack.stripe.customers.create({});
    const created = await postJson(sessionsUrl(), { customer: customer.id });
    const other = await send(`${sessionsUrl()}/${created.json.id}?customer=cus_someoneelse`);
    expect(other.status).toBe(404);
    const own = await send(`${sessionsUrl()}/${created.json.id}?customer=${customer.id}`);
    expect(own.status).toBe(200);
  });

  it('the handler answers unknown paths with 404 and wrong methods with 405, as JSON', async () => {
    const handler = wireCheckoutApi(stack.env);
    const unknown = await handler(toHttpApiEvent({ method: 'GET', url: '/nowhere' }));
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body ?? '').error.code).toBe('route_not_found');
    const wrongMethod = await handler(
      toHttpApiEvent({ method: 'DELETE', url: '/checkout-sessions/cs_test_1' }),
    );
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe('GET');
  });
});
