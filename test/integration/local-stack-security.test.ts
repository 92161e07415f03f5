import { request } from 'node:http';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';

/*
 * Finding 8: the local stack on a developer's machine. A web page can reach 127.0.0.1 through DNS
 * rebinding (its own name re-pointed at this machine), and with a real sk_test_ key what it reaches is a
 * real Stripe account. The browser still sends the page's name in Host, which is what gives it away
 * (https://developer.mozilla.org/docs/Web/Security/Attacks/DNS_rebinding).
 */

/** A GET with a chosen Host header, which fetch does not let a caller set. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('offline (the stand-in)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, logLevel: 'silent' });
  }, 60_000);
  afterAll(() => stack?.close());

  it('answers to its own address and localhost only, on the API and on the stand-in', async () => {
    const api = new URL(stack.url);
    const standIn = new URL(stack.standIn?.url ?? '');
    expect((await getWithHost(`${stack.url}/`, api.host)).status).toBe(200);
    expect((await getWithHost(`${stack.url}/`, `localhost:${api.port}`)).status).toBe(200);
    const rebound = await getWithHost(`${stack.url}/`, `attacker.example:${api.port}`);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed');
    expect((await getWithHost(`${stack.url}/success`, 'attacker.example')).status).toBe(421);
    // Its own Host reaches the route, which then wants a test-mode key (a rebound Host never gets that far).
    expect((await getWithHost(`${standIn.origin}/_stand-in/requests`, standIn.host)).status).toBe(401);
    expect(
      (await getWithHost(`${standIn.origin}/_stand-in/requests`, `attacker.example:${standIn.port}`)).status,
    ).toBe(421);
  });

  it('the embedded DynamoDB, SQS and issuer answer 421 to a foreign Host', async () => {
    // The AWS query protocol takes a plain GET (`?Action=ListQueues`), as a rebinding page could send.
    for (const endpoint of [stack.aws.dynamodb, stack.aws.sqs, stack.issuer?.issuer ?? '']) {
      const { port } = new URL(endpoint);
      const rebound = await getWithHost(`${endpoint}/?Action=ListQueues`, `attacker.example:${port}`);
      expect(rebound.status).toBe(421);
      expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed');
    }
    const jwks = await getWithHost(
      `${stack.issuer?.issuer}/.well-known/jwks.json`,
      `localhost:${new URL(stack.issuer?.issuer ?? '').port}`,
    );
    expect(jwks.status).toBe(200);
  });

  it('no demo page may be framed; the stand-in’s Checkout page, which embedded Checkout frames, may', async () => {
    // OWASP's clickjacking defence: CSP frame-ancestors 'none' and, for older browsers, X-Frame-Options DENY
    // (https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html; MDN
    // Content-Security-Policy/frame-ancestors).
    const customer = stack.accounts[0]?.customerId;
    for (const path of [
      '/',
      `/?customer=${customer}`,
      `/billing?customer=${customer}`,
      '/success',
      '/billing',
    ]) {
      const page = await fetch(`${stack.url}${path}`);
      expect({ path, frameOptions: page.headers.get('x-frame-options') }).toEqual({
        path,
        frameOptions: 'DENY',
      });
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const session = await stack.stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'usd',
      customer: customer ?? '',
      ui_mode: 'embedded_page',
      return_url: `${stack.url}/success?session_id={CHECKOUT_SESSION_ID}`,
    });
    const framed = await fetch(`${stack.standIn?.url}/checkout/${session.id}`);
    expect(framed.status).toBe(200);
    expect(framed.headers.get('x-frame-options')).toBeNull();
    expect(framed.headers.get('content-security-policy') ?? '').not.toContain('frame-ancestors');
  });

  it('the billing page still opens for the stand-in’s customers', async () => {
    const page = await fetch(`${stack.url}/billing?customer=${stack.accounts[0]?.customerId}`);
    expect(page.status).toBe(200);
  });
});

describe('npm run dev and live keys', () => {
  it('refuses a live secret key instead of switching to live mode', async () => {
    await expect(
      startLocalStack({
        port: 0,
        logLevel: 'silent',
        env: { STRIPE_SECRET_KEY: 'sk_live_51Abcdefghijklmnop', STRIPE_WEBHOOK_SECRET: 'whsec_x0123456789' },
      }),
    ).rejects.toThrow(/test-mode keys only/);
  });
});

describe('with a real Stripe key', () => {
  // Another Stripe-compatible server plays api.stripe.com; the local stack treats the key as real.
  let stripe: StripeStandIn;
  let stack: LocalStack;
  const allowedCustomer = 'cus_DevelopersOwnTestCustomer';
  beforeAll(async () => {
    stripe = await startStripeStandIn();
    stack = await startLocalStack({
      port: 0,
      logLevel: 'silent',
      env: {
        STRIPE_SECRET_KEY: 'sk_test_developersRealTestModeKey0123',
        STRIPE_WEBHOOK_SECRET: 'whsec_fromStripeListen0123456789abcdef',
        STRIPE_API_BASE: stripe.url,
        DEMO_CUSTOMERS: allowedCustomer,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await stripe?.close();
  });

  it('runs no stand-in, so there are no control routes to reach', async () => {
    expect(stack.standIn).toBeUndefined();
    expect((await fetch(`${stack.url}/_stand-in/requests`)).status).toBe(404);
  });

  it('POST /_dev/token signs only for the customers listed, as the demo page’s sign-in does', async () => {
    const devToken = (customer: string) =>
      fetch(`${stack.url}/_dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer }),
      });
    expect((await devToken(allowedCustomer)).status).toBe(200);
    const refused = await devToken('cus_SomeoneElsesCustomer');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('customer_not_allowed');
  });

  it('signs the visitor in only as the customers the developer listed, not as any ?customer=', async () => {
    const page = async (customer: string) => (await fetch(`${stack.url}/?customer=${customer}`)).text();
    expect(await page('cus_SomeoneElsesCustomer')).not.toContain('name="token"');
    expect(await page(allowedCustomer)).toContain('name="token"');
  });

  it('the billing page is behind the same sign-in: another customer’s is refused', async () => {
    const billing = await fetch(`${stack.url}/billing?customer=cus_SomeoneElsesCustomer`);
    expect(billing.status).toBe(403);
    expect(await billing.text()).not.toContain('eyJ');
  });
});
