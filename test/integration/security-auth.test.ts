import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHttpApiEvent } from '../../dev/http-api/event';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { createFormTokens, FORM_TOKEN_SECONDS } from '../../functions/shared/auth/form-token';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack, TEST_SETUP_PROOF_SECRET } from '../support/service-stack';
import { bearer, forgedTokens, formTokenFrom } from '../support/tokens';

let stack: ServiceStack;
let issuer: LocalJwtIssuer;
const SESSIONS_PER_MINUTE = 3;

beforeAll(async () => {
  stack = await startServiceStack({
    auth: true,
    env: { SESSIONS_PER_CUSTOMER_PER_MINUTE: String(SESSIONS_PER_MINUTE) },
  });
  issuer = stack.issuer as LocalJwtIssuer;
});
afterAll(() => stack.close());

const sessionsUrl = () => `${stack.api.url}/checkout-sessions`;
const formUrl = () => `${stack.api.url}/create-checkout-session`;
const sessionCreates = () => stack.stripeStandIn.countRequests('POST', /^\/v1\/checkout\/sessions$/);

function postForm(fields: Record<string, string>) {
  return send(formUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('POST /checkout-sessions takes the customer from the token', () => {
  it('creates the session for the token’s customer; the body need not name it', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const reply = await postJson(
      sessionsUrl(),
      { subscription: subscription.id },
      bearer(await issuer.tokenFor(customer.id)),
    );
    expect(reply.status).toBe(201);
    const session = await stack.stripe.checkout.sessions.retrieve(reply.json.id);
    expect(session.customer).toBe(customer.id);
  });

  it('accepts a body customer equal to the token’s, and refuses another with 403 and no session', async () => {
    const customer = await stack.stripe.customers.create({});
    const victim = await stack.stripe.customers.create({});
    const token = await issuer.tokenFor(customer.id);
    expect((await postJson(sessionsUrl(), { customer: customer.id }, bearer(token))).status).toBe(201);

    stack.stripeStandIn.clearRequests();
    const reply = await postJson(sessionsUrl(), { customer: victim.id }, bearer(token));
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('customer_mismatch');
    expect(sessionCreates()).toBe(0);
  });

  it('refuses another customer’s subscription even with a valid token', async () => {
    const { subscription } = await customerWithSubscription(stack.stripe);
    const intruder = await stack.stripe.customers.create({});
    const reply = await postJson(
      sessionsUrl(),
      { subscription: subscription.id },
      bearer(await issuer.tokenFor(intruder.id)),
    );
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('subscription_not_owned');
  });

  it('a token that names no Stripe customer → 403', async () => {
    const reply = await postJson(sessionsUrl(), {}, bearer(await issuer.mint({ sub: 'user-1' })));
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('no_customer_claim');
  });

  it('API Gateway’s authorizer answers 401 {"message":"Unauthorized"} before the function runs', async () => {
    const customer = await stack.stripe.customers.create({});
    const forged = await forgedTokens(issuer, customer.id);
    const expired = await issuer.tokenFor(customer.id, { expiresIn: -60 });
    stack.stripeStandIn.clearRequests();
    for (const headers of [{}, bearer(expired), bearer(forged.otherKey), bearer(forged.unsigned)]) {
      const reply = await postJson(sessionsUrl(), { customer: customer.id }, headers);
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ message: 'Unauthorized' });
    }
    expect(stack.stripeStandIn.requests).toHaveLength(0);
  });
});

describe('GET /checkout-sessions/{id} answers only the caller’s sessions', () => {
  it('the owner sees the session; another customer gets 404, exactly as for a missing one', async () => {
    const owner = await stack.stripe.customers.create({});
    const other = await stack.stripe.customers.create({});
    const created = await postJson(sessionsUrl(), {}, bearer(await issuer.tokenFor(owner.id)));
    const url = `${sessionsUrl()}/${created.json.id}`;

    const own = await send(url, { headers: bearer(await issuer.tokenFor(owner.id)) });
    expect(own.status).toBe(200);
    expect(own.json.customer).toBe(owner.id);

    const probe = await send(url, { headers: bearer(await issuer.tokenFor(other.id)) });
    const missing = await send(`${sessionsUrl()}/cs_test_doesnotexist`, {
      headers: bearer(await issuer.tokenFor(other.id)),
    });
    expect(probe.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(probe.json.error.code).toBe(missing.json.error.code);

    const namesAnother = await send(`${url}?customer=${other.id}`, {
      headers: bearer(await issuer.tokenFor(owner.id)),
    });
    expect(namesAnother.status).toBe(403);
  });
});

describe('POST /create-checkout-session verifies the form’s hidden-field form token itself', () => {
  it('a form with its form token → 303 to Checkout, for the token’s customer', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const reply = await postForm({
      customer: customer.id,
      subscription: subscription.id,
      token: await formTokenFrom(stack.api.url, await issuer.tokenFor(customer.id)),
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toMatch(/\/checkout\/cs_test_/);
  });

  it.each([
    ['no token', async () => undefined, 401, 'unauthenticated'],
    // A minute past `exp`: beyond the few seconds of clock tolerance (RFC 7519 §4.1.4's "small leeway").
    [
      'an expired form token',
      async (id: string) =>
        (
          await createFormTokens(async () => [TEST_SETUP_PROOF_SECRET]).mint(
            id,
            Date.now() / 1000 - FORM_TOKEN_SECONDS - 60,
          )
        ).formToken,
      401,
      'unauthenticated',
    ],
    ['the identity provider’s own token', (id: string) => issuer.tokenFor(id), 401, 'unauthenticated'],
    [
      'a forged token',
      async (id: string) => (await forgedTokens(issuer, id)).otherKey,
      401,
      'unauthenticated',
    ],
    [
      'another customer’s form token',
      async () => formTokenFrom(stack.api.url, await issuer.tokenFor('cus_someoneelse')),
      403,
      'customer_mismatch',
    ],
  ])('%s → refused, no session', async (_label, tokenFor, status, code) => {
    const customer = await stack.stripe.customers.create({});
    const token = await tokenFor(customer.id);
    stack.stripeStandIn.clearRequests();
    const reply = await postForm({ customer: customer.id, ...(token ? { token } : {}) });
    expect(reply.status).toBe(status);
    expect(reply.json.error.code).toBe(code);
    expect(sessionCreates()).toBe(0);
  });

  it('answers 503 (not 401) when the issuer’s keys cannot be fetched, so a caller retries', async () => {
    await expectAuthUnavailable('http://127.0.0.1:9');
  });
});

/**
 * A token the function verifies itself (no authorizer claims passed in), against an issuer whose keys cannot
 * be had: 503, so the caller retries.
 */
async function expectAuthUnavailable(jwtIssuer: string) {
  const handler = wireCheckoutApi({ ...stack.env, JWT_ISSUER: jwtIssuer });
  const customer = await stack.stripe.customers.create({});
  const result = await handler(
    toHttpApiEvent({
      method: 'POST',
      url: '/form-tokens',
      headers: { 'content-type': 'application/json', ...bearer(await issuer.tokenFor(customer.id)) },
      body: '{}',
    }),
  );
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body ?? '').error.code).toBe('auth_unavailable');
}

describe('an issuer whose key endpoint fails', () => {
  it('answers 503 when the JWKS endpoint returns an error status (jose reports it as a generic error)', async () => {
    const broken = createServer((request, response) => {
      const base = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
      if (request.url === '/.well-known/openid-configuration') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
        return;
      }
      response.writeHead(500);
      response.end('down');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', () => resolve()));
    try {
      await expectAuthUnavailable(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});

describe('the customer claim is configurable', () => {
  it('reads the customer from JWT_CUSTOMER_CLAIM in the authorizer’s claims', async () => {
    const handler = wireCheckoutApi({ ...stack.env, JWT_CUSTOMER_CLAIM: 'https://example.com/customer' });
    const customer = await stack.stripe.customers.create({});
    const request = (claims: Record<string, unknown>) =>
      handler(
        toHttpApiEvent({
          method: 'POST',
          url: '/checkout-sessions',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          // As API Gateway passes a verified token's claims: every value a string, `exp` always there.
          authorizerClaims: {
            iat: String(Math.floor(Date.now() / 1000)),
            exp: String(Math.floor(Date.now() / 1000) + 3600),
            ...claims,
          },
        }),
      );
    expect((await request({ 'https://example.com/customer': customer.id })).statusCode).toBe(201);
    expect((await request({ stripe_customer_id: customer.id })).statusCode).toBe(403);
  });
});

describe('a per-customer cap on sessions per minute', () => {
  it(`allows ${SESSIONS_PER_MINUTE} a minute, then 429 with Retry-After and no Stripe call; others are unaffected`, async () => {
    // The window is the wall-clock minute: start well inside one so all requests share it.
    const secondsLeft = 60 - ((Date.now() / 1000) % 60);
    if (secondsLeft < 5) await new Promise((resolve) => setTimeout(resolve, secondsLeft * 1000 + 100));
    const busy = await stack.stripe.customers.create({});
    const other = await stack.stripe.customers.create({});
    const token = await issuer.tokenFor(busy.id);
    for (let created = 0; created < SESSIONS_PER_MINUTE; created++) {
      expect((await postJson(sessionsUrl(), {}, bearer(token))).status).toBe(201);
    }
    stack.stripeStandIn.clearRequests();
    const limited = await postJson(sessionsUrl(), {}, bearer(token));
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(stack.stripeStandIn.requests).toHaveLength(0);
    // The form route spends the same budget.
    expect((await postForm({ token: await formTokenFrom(stack.api.url, token) })).status).toBe(429);

    expect((await postJson(sessionsUrl(), {}, bearer(await issuer.tokenFor(other.id)))).status).toBe(201);
  });
});
