import { createFormTokens, FORM_TOKEN_SECONDS } from '../../functions/shared/auth/form-token';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack, TEST_SETUP_PROOF_SECRET } from '../support/service-stack';
import { bearer } from '../support/tokens';

/*
 * The HTML form route's own credential. API Gateway's JWT authorizer reads only headers and query strings
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), so the form
 * carries its token in a hidden field; that token is one the service minted for the form alone (its own
 * audience, RFC 7519 §4.1.3; HS256 under the service's key), never the identity provider's bearer token.
 */

let stack: ServiceStack;
let owner: { customerId: string; subscriptionId: string; token: string };
let other: { customerId: string; token: string };

beforeAll(async () => {
  stack = await startServiceStack({ auth: true });
  const issuer = stack.issuer;
  if (!issuer) throw new Error('auth is on');
  const [mine, theirs] = await Promise.all([
    customerWithSubscription(stack.stripe),
    customerWithSubscription(stack.stripe),
  ]);
  owner = {
    customerId: mine.customer.id,
    subscriptionId: mine.subscription.id,
    token: await issuer.tokenFor(mine.customer.id),
  };
  other = { customerId: theirs.customer.id, token: await issuer.tokenFor(theirs.customer.id) };
});
afterAll(() => stack.close());

const api = (path: string) => `${stack.api.url}${path}`;
const mint = (token: string, body: unknown = {}) => postJson(api('/form-tokens'), body, bearer(token));
const postForm = (fields: Record<string, string>) =>
  send(api('/create-checkout-session'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

it('a signed-in caller mints a form token, and the form posted with it goes to Checkout', async () => {
  const minted = await mint(owner.token);
  expect(minted.status).toBe(201);
  const now = Date.now() / 1000;
  expect(minted.json.expiresAt).toBeGreaterThan(now + FORM_TOKEN_SECONDS - 60);
  expect(minted.json.expiresAt).toBeLessThanOrEqual(now + FORM_TOKEN_SECONDS + 1);
  const posted = await postForm({
    customer: owner.customerId,
    subscription: owner.subscriptionId,
    token: minted.json.formToken,
  });
  expect(posted.status).toBe(303);
  expect(posted.headers.get('location')).toMatch(/\/checkout\/cs_test_/);
});

it('the form refuses the identity provider’s token: it is a bearer token for the API, not a form token', async () => {
  const posted = await postForm({ customer: owner.customerId, token: owner.token });
  expect(posted.status).toBe(401);
  expect(posted.json.error.code).toBe('unauthenticated');
});

it('the form refuses an expired form token, and one signed with another secret', async () => {
  const secret = async () => [TEST_SETUP_PROOF_SECRET];
  const longAgo = Date.now() / 1000 - FORM_TOKEN_SECONDS - 60;
  const expired = await createFormTokens(secret).mint(owner.customerId, longAgo);
  const refused = await postForm({ customer: owner.customerId, token: expired.formToken });
  expect(refused.status).toBe(401);
  expect(refused.json.error.message).toMatch(/expired/);
  const otherSecret = async () => ['another-service-secret-0123456789abcdefgh'];
  const forged = await createFormTokens(otherSecret).mint(owner.customerId, Date.now() / 1000);
  expect((await postForm({ customer: owner.customerId, token: forged.formToken })).status).toBe(401);
});

it('a form token for another customer cannot act for this one', async () => {
  const theirs = (await mint(other.token)).json.formToken as string;
  const posted = await postForm({ customer: owner.customerId, token: theirs });
  expect(posted.status).toBe(403);
  expect(posted.json.error.code).toBe('customer_mismatch');
  // Nor mint one for another customer.
  const named = await mint(owner.token, { customer: other.customerId });
  expect(named.status).toBe(403);
});

it('no other route takes a form token as its bearer token', async () => {
  const formToken = (await mint(owner.token)).json.formToken as string;
  const session = await postJson(api('/checkout-sessions'), {}, bearer(owner.token));
  expect(session.status).toBe(201);
  const routes: [string, string][] = [
    ['POST', '/checkout-sessions'],
    ['GET', `/checkout-sessions/${session.json.id}`],
    ['POST', '/form-tokens'],
    ['GET', '/payment-methods'],
    ['POST', '/payment-methods/pm_1234/default'],
    ['DELETE', '/payment-methods/pm_1234'],
    ['GET', '/payment-methods/changes/chg_1234'],
  ];
  for (const [method, path] of routes) {
    const answer = await send(api(path), {
      method,
      headers: { ...bearer(formToken), 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect({ route: `${method} ${path}`, status: answer.status }).toEqual({
      route: `${method} ${path}`,
      status: 401,
    });
  }
  // Without any token, minting is refused too.
  expect((await postJson(api('/form-tokens'), {})).status).toBe(401);
});
