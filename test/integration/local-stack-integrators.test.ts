import { request } from 'node:http';
import { type LocalJwtIssuer, startLocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { postJson, send } from '../support/http';
import { bearer } from '../support/tokens';

/*
 * `npm run dev` as an integrator points an app at it: the app's dev server on http://localhost:5173 calls the
 * local API across origins, so the local API Gateway must answer CORS as the deployed one does
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html), and the headers a page
 * must read — Retry-After, Location — must be exposed, since neither is CORS-safelisted
 * (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name).
 */
const APP = 'http://localhost:5173';

async function devToken(stack: LocalStack, body: unknown, contentType = 'application/json') {
  const response = await fetch(`${stack.url}/_dev/token`, {
    method: 'POST',
    headers: { 'content-type': contentType, origin: APP },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { token?: string; error?: { code: string } },
  };
}

/** A GET with a chosen Host header, which fetch does not let a caller set. */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('npm run dev with ALLOWED_ORIGINS=http://localhost:5173', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      logLevel: 'silent',
      stableIds: true,
      env: { ALLOWED_ORIGINS: `${APP},https://app.test:8443` },
    });
  }, 60_000);
  afterAll(() => stack?.close());

  it('answers a preflight from that origin with CORS headers exposing Retry-After and Location', async () => {
    const preflight = await fetch(`${stack.url}/payment-methods/pm_1/default`, {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-methods')?.split(',')).toEqual(
      expect.arrayContaining(['POST', 'DELETE']),
    );
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(preflight.headers.get('access-control-expose-headers')?.split(',')).toEqual([
      'retry-after',
      'location',
    ]);

    const stranger = await fetch(`${stack.url}/payment-methods`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:9999', 'access-control-request-method': 'GET' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('POST /_dev/token gives a token that lists that customer’s methods, readable from the app’s origin', async () => {
    const [ada] = stack.accounts;
    const method = await stack.stripe.paymentMethods.attach('pm_card_visa', {
      customer: ada?.customerId ?? '',
    });
    const minted = await devToken(stack, { customer: ada?.customerId });
    expect(minted.status).toBe(200);
    const listed = await send(`${stack.url}/payment-methods`, {
      headers: { ...bearer(minted.json.token ?? ''), origin: APP },
    });
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((m: { id: string }) => m.id)).toContain(method.id);
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed.headers.get('access-control-expose-headers')).toBe('retry-after,location');
  });

  it('/_dev/token refuses what is not a JSON request naming a customer', async () => {
    expect((await devToken(stack, { customer: 'cus_x' }, 'text/plain')).status).toBe(415);
    expect((await devToken(stack, { customer: 'someone' })).json.error?.code).toBe('invalid_request');
    expect((await fetch(`${stack.url}/_dev/token`)).status).toBe(405);
  });

  it('lets Checkout return to the app: a successUrl on the allowed origin is accepted', async () => {
    const [ada] = stack.accounts;
    const { token } = (await devToken(stack, { customer: ada?.customerId })).json;
    const created = await postJson(
      `${stack.url}/checkout-sessions`,
      { successUrl: `${APP}/billing/updated`, cancelUrl: `${APP}/billing` },
      bearer(token ?? ''),
    );
    expect(created.status).toBe(201);
  });

  it('accepts loopback names on any port (a dev-server proxy’s Host) and the allowed hosts; anything else 421', async () => {
    expect(await statusWithHost(`${stack.url}/openapi.json`, 'localhost:5173')).toBe(200);
    expect(await statusWithHost(`${stack.url}/openapi.json`, '127.0.0.1:8080')).toBe(200);
    expect(await statusWithHost(`${stack.url}/openapi.json`, 'app.test:8443')).toBe(200);
    expect(await statusWithHost(`${stack.url}/openapi.json`, 'app.test:9090')).toBe(421);
    expect(await statusWithHost(`${stack.url}/openapi.json`, 'localhost.attacker.example')).toBe(421);
  });

  it('gives the demo customers the same ids on every run', async () => {
    const again = await startLocalStack({ port: 0, logLevel: 'silent', stableIds: true });
    try {
      expect(again.accounts.map((a) => [a.customerId, a.subscriptionId])).toEqual(
        stack.accounts.map((a) => [a.customerId, a.subscriptionId]),
      );
    } finally {
      await again.close();
    }
  }, 60_000);
});

describe('npm run dev with JWT_ISSUER and JWT_AUDIENCE (an identity provider’s dev tenant)', () => {
  let provider: LocalJwtIssuer;
  let stack: LocalStack;
  beforeAll(async () => {
    provider = await startLocalJwtIssuer({ audience: 'https://billing.example.com' });
    stack = await startLocalStack({
      port: 0,
      logLevel: 'silent',
      env: {
        JWT_ISSUER: provider.issuer,
        JWT_AUDIENCE: 'https://billing.example.com',
        JWT_CUSTOMER_CLAIM: 'app_metadata.stripe_customer_id',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await provider?.close();
  });

  it('accepts the provider’s tokens with the nested claim, and has no local issuer to mint any', async () => {
    const [ada] = stack.accounts;
    const token = await provider.mint({ app_metadata: { stripe_customer_id: ada?.customerId } });
    expect((await send(`${stack.url}/payment-methods`, { headers: bearer(token) })).status).toBe(200);
    const other = await provider.mint(
      { app_metadata: { stripe_customer_id: ada?.customerId } },
      { audience: 'another-api' },
    );
    expect((await send(`${stack.url}/payment-methods`, { headers: bearer(other) })).status).toBe(401);
    expect(stack.issuer).toBeUndefined();
    expect((await devToken(stack, { customer: ada?.customerId })).json.error?.code).toBe(
      'dev_token_unavailable',
    );
  });
});
