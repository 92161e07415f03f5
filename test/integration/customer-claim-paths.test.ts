import { toHttpApiEvent } from '../../dev/http-api/event';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { readCustomerClaim } from '../../functions/shared/auth/customer-claim';
import { postForm, postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { bearer, forgedTokens, formTokenFrom } from '../support/tokens';

/*
 * Identity providers that keep app data in an object put the customer id below it: Auth0's `app_metadata`
 * (https://auth0.com/docs/manage-users/user-accounts/metadata), Supabase's `app_metadata`
 * (https://supabase.com/docs/guides/auth/jwt-fields). API Gateway's JWT authorizer hands the function claim
 * values as strings only (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html),
 * so a nested claim must be read from the verified token, never from the flattened authorizer claims.
 */
const NESTED = 'app_metadata.stripe_customer_id';
let stack: ServiceStack;
let issuer: LocalJwtIssuer;

beforeAll(async () => {
  stack = await startServiceStack({ auth: true, env: { JWT_CUSTOMER_CLAIM: NESTED } });
  issuer = stack.issuer as LocalJwtIssuer;
});
afterAll(() => stack.close());

const nestedToken = (customerId: string) =>
  issuer.mint({
    sub: `user-of-${customerId}`,
    app_metadata: { stripe_customer_id: customerId, plan: 'pro' },
  });

describe('customerClaim as a nested path (app_metadata.stripe_customer_id)', () => {
  it('a bearer token with the id nested creates the session for that customer', async () => {
    const customer = await stack.stripe.customers.create({});
    const reply = await postJson(
      `${stack.api.url}/checkout-sessions`,
      {},
      bearer(await nestedToken(customer.id)),
    );
    expect(reply.status).toBe(201);
    expect((await stack.stripe.checkout.sessions.retrieve(reply.json.id)).customer).toBe(customer.id);
  });

  it('lists that customer’s saved methods, and only theirs', async () => {
    const customer = await stack.stripe.customers.create({});
    const method = await stack.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const reply = await send(`${stack.api.url}/payment-methods`, {
      headers: bearer(await nestedToken(customer.id)),
    });
    expect(reply.status).toBe(200);
    expect(reply.json.data.map((m: { id: string }) => m.id)).toEqual([method.id]);
  });

  it('a form token minted from a nested-claim token opens the form route for that customer', async () => {
    const customer = await stack.stripe.customers.create({});
    const reply = await postForm(`${stack.api.url}/create-checkout-session`, {
      token: await formTokenFrom(stack.api.url, await nestedToken(customer.id)),
    });
    expect(reply.status).toBe(303);
  });

  it('a token whose object lacks the id → 403 no_customer_claim, no session', async () => {
    stack.stripeStandIn.clearRequests();
    const token = await issuer.mint({ sub: 'user-1', app_metadata: { plan: 'pro' } });
    const reply = await postJson(`${stack.api.url}/checkout-sessions`, {}, bearer(token));
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('no_customer_claim');
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/checkout\/sessions$/)).toBe(0);
  });

  it('never trusts the flattened authorizer claims or an unverified header for a nested path', async () => {
    // The function is handed authorizer claims (as API Gateway would) but a bearer token that is not the
    // issuer's: the nested id is read only after the function itself verified the token.
    const customer = await stack.stripe.customers.create({});
    const handler = wireCheckoutApi(stack.env);
    const forged = await forgedTokens(issuer, customer.id);
    const result = await handler(
      toHttpApiEvent({
        method: 'POST',
        url: '/checkout-sessions',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${forged.otherKey}` },
        body: '{}',
        routeKey: 'POST /checkout-sessions',
        authorizerClaims: {
          sub: 'user-1',
          iat: Math.floor(Date.now() / 1000),
          exp: Math.floor(Date.now() / 1000) + 3600,
          app_metadata: { stripe_customer_id: customer.id },
        },
      }),
    );
    expect(result.statusCode).toBe(401);
  });
});

describe('reading the claim', () => {
  it('an exact claim name wins over a path (Auth0 namespaced claims are URLs with dots)', () => {
    const claims = {
      'https://app.example.com/stripe_customer_id': 'cus_url',
      'app.customer': 'cus_exact',
      app: { customer: 'cus_nested' },
    };
    expect(readCustomerClaim(claims, 'https://app.example.com/stripe_customer_id')).toBe('cus_url');
    expect(readCustomerClaim(claims, 'app.customer')).toBe('cus_exact');
    expect(readCustomerClaim({ app: { customer: 'cus_nested' } }, 'app.customer')).toBe('cus_nested');
  });

  it('walks only own object properties: no arrays, no prototype, no empty segments', () => {
    expect(readCustomerClaim({ a: ['cus_x'] }, 'a.0')).toBeUndefined();
    expect(readCustomerClaim({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(readCustomerClaim({ a: { '': { b: 'cus_x' } } }, 'a..b')).toBeUndefined();
    expect(readCustomerClaim({ a: 'cus_x' }, 'a.b')).toBeUndefined();
    expect(readCustomerClaim({ a: { b: { c: 'cus_deep' } } }, 'a.b.c')).toBe('cus_deep');
  });
});
