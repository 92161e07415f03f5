import { customerWithSubscription } from '../support/fixtures';
import { postJson } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Embedded Checkout in setup mode. Oracle: the pinned SDK's Checkout/Sessions.d.ts for API 2026-10-28 —
 * `ui_mode: 'embedded_page'` (the default is `hosted_page`), `return_url` "required if ui_mode is
 * embedded_page", `success_url`/`cancel_url` "not allowed if ui_mode is embedded_page", and
 * `client_secret` "to be used when initializing Stripe.js embedded checkout"; the stand-in's answers are
 * checked against the same declarations (dev/stripe-stand-in/contract).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const sessionsUrl = () => `${stack.api.url}/checkout-sessions`;
const FUTURE_EXPIRY = `12 / ${String((new Date().getUTCFullYear() + 2) % 100).padStart(2, '0')}`;

describe('POST /checkout-sessions with uiMode embedded_page', () => {
  it('answers 201 with a clientSecret and creates an embedded session returning to returnUrl', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const reply = await postJson(sessionsUrl(), {
      customer: customer.id,
      subscription: subscription.id,
      uiMode: 'embedded_page',
      returnUrl: 'http://localhost:5173/return',
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ id: expect.stringMatching(/^cs_test_/), clientSecret: expect.any(String) });
    const session = await stack.stripe.checkout.sessions.retrieve(reply.json.id);
    expect(session).toMatchObject({
      ui_mode: 'embedded_page',
      client_secret: reply.json.clientSecret,
      return_url: 'http://localhost:5173/return?session_id={CHECKOUT_SESSION_ID}',
      success_url: null,
      cancel_url: null,
      url: null,
      mode: 'setup',
      customer: customer.id,
    });
  });

  it('hosted_page stays the default, answering a url and no clientSecret', async () => {
    const customer = await stack.stripe.customers.create({});
    const reply = await postJson(sessionsUrl(), { customer: customer.id });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.json).sort()).toEqual(['id', 'url']);
    expect((await stack.stripe.checkout.sessions.retrieve(reply.json.id)).ui_mode).toBe('hosted_page');
  });

  it.each([
    [{ uiMode: 'embedded_page', returnUrl: 'https://evil.example.net/return' }, 'redirect_not_allowed'],
    [{ uiMode: 'embedded_page', successUrl: 'https://app.example.com/done' }, 'invalid_request'],
    [{ returnUrl: 'https://app.example.com/return' }, 'invalid_request'],
    [{ uiMode: 'elements' }, 'invalid_request'],
  ])('refuses %j with 400 %s before Stripe is asked', async (fields, code) => {
    const customer = await stack.stripe.customers.create({});
    stack.stripeStandIn.clearRequests();
    const reply = await postJson(sessionsUrl(), { customer: customer.id, ...fields });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe(code);
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/checkout\/sessions$/)).toBe(0);
  });
});

describe('the stand-in’s embedded Checkout (offline Stripe.js)', () => {
  it('serves initEmbeddedCheckout, and its framed page hands the return URL to the parent when done', async () => {
    const customer = await stack.stripe.customers.create({});
    const created = await postJson(sessionsUrl(), {
      customer: customer.id,
      uiMode: 'embedded_page',
      returnUrl: 'http://localhost:5173/return',
    });
    const script = await fetch(`${stack.stripeStandIn.url}/v3/embedded-checkout.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('initEmbeddedCheckout');

    const form = await fetch(`${stack.stripeStandIn.url}/checkout/${created.json.id}`);
    expect(form.status).toBe(200);
    const done = await fetch(`${stack.stripeStandIn.url}/checkout/${created.json.id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        card_number: '4242 4242 4242 4242',
        expiry: FUTURE_EXPIRY,
        cvc: '123',
        name: 'Ada',
      }).toString(),
    });
    // Framed, the page cannot redirect the customer's page itself: it posts the return URL to its parent.
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain(`"returnUrl":"http://localhost:5173/return?session_id=${created.json.id}"`);
    expect(html).toContain('parent.postMessage');
    const nonce = /'nonce-([^']+)'/.exec(done.headers.get('content-security-policy') ?? '')?.[1];
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect((await stack.stripe.checkout.sessions.retrieve(created.json.id)).status).toBe('complete');
  });
});
