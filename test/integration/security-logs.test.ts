import { randomBytes } from 'node:crypto';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { signPayload } from '../../dev/stripe-stand-in';
import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { type HttpReply, postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { bearer, forgedTokens, formTokenFrom } from '../support/tokens';

/*
 * Runs the whole flow, and its failure paths, with every log line captured at debug level, then looks for
 * the secrets in them: the Stripe key, the webhook signing secret, the caller's JWT. Also checks that what
 * callers see never carries a stack trace or Stripe's own error text.
 */

const secretKey = `sk_test_${randomBytes(24).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
let stack: ServiceStack;
let issuer: LocalJwtIssuer;
let logs = '';
const replies: HttpReply[] = [];
const tokens: string[] = [];

const record = async (reply: Promise<HttpReply>) => {
  const answered = await reply;
  replies.push(answered);
  return answered;
};

beforeAll(async () => {
  stack = await startServiceStack({
    auth: true,
    env: { LOG_LEVEL: 'debug', STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret },
  });
  issuer = stack.issuer as LocalJwtIssuer;
  const capture = (chunk: unknown) => {
    logs += String(chunk);
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  await runTheFlowAndItsFailures();
  jest.restoreAllMocks();
}, 60_000);
afterAll(() => stack.close());

async function runTheFlowAndItsFailures() {
  const sessions = `${stack.api.url}/checkout-sessions`;
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const token = await issuer.tokenFor(customer.id);
  tokens.push(token);

  // The happy path: create, complete, webhook, worker, status.
  const created = await record(postJson(sessions, { subscription: subscription.id }, bearer(token)));
  const { event } = await completeSession(stack.stripeStandIn, created.json.id);
  const payload = JSON.stringify(event);
  await record(
    send(stack.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(payload, webhookSecret),
      },
      body: payload,
    }),
  );
  await stack.drainQueue({ retryDelaySeconds: 0 });
  await record(send(`${sessions}/${created.json.id}`, { headers: bearer(token) }));

  // The form route, with a good token and with forged ones.
  const form = (fields: Record<string, string>) =>
    record(
      send(`${stack.api.url}/create-checkout-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  const formToken = await formTokenFrom(stack.api.url, token);
  tokens.push(formToken);
  await form({ token: formToken });
  // The identity provider's token where a form token belongs: refused, and not logged either.
  await form({ token });
  const forged = await forgedTokens(issuer, customer.id);
  tokens.push(forged.otherKey);
  await form({ token: forged.otherKey });
  await form({ token: await issuer.tokenFor(customer.id, { expiresIn: -60 }) });

  // Failures that log errors: a forged webhook, Stripe down, Stripe not knowing the customer.
  await record(
    send(stack.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(payload, 'whsec_forged'),
      },
      body: payload,
    }),
  );
  stack.stripeStandIn.faults.add({
    method: 'POST',
    path: /^\/v1\/checkout\/sessions$/,
    status: 500,
    times: 3,
  });
  await record(postJson(sessions, {}, bearer(token)));
  stack.stripeStandIn.faults.clear();
  await record(postJson(sessions, {}, bearer(await issuer.tokenFor('cus_doesnotexist'))));
}

describe('secrets never reach the logs', () => {
  it('the flow ran and logged at debug level (so the scan below means something)', () => {
    expect(replies.map((reply) => reply.status)).toEqual([201, 200, 200, 303, 401, 401, 401, 400, 502, 404]);
    expect(logs).toContain('"service":"setup-worker"');
    expect(logs).toContain('"service":"stripe-webhook"');
    expect(logs).toContain('"service":"checkout-api"');
  });

  it('no log line holds the Stripe secret key, the webhook signing secret or a JWT', () => {
    expect(logs).not.toContain(secretKey);
    expect(logs).not.toContain(secretKey.slice(-16));
    expect(logs).not.toContain(webhookSecret);
    expect(logs).not.toContain(webhookSecret.slice(-16));
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      // Nor any recognisable part of one: the signature segment is unique to the token.
      expect(logs).not.toContain(token.split('.')[2]);
    }
  });
});

describe('what callers see', () => {
  it('never a stack trace, a secret, or Stripe’s own error text', () => {
    for (const reply of replies) {
      expect(reply.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
      expect(reply.text).not.toContain(secretKey);
      expect(reply.text).not.toContain(webhookSecret);
      expect(reply.text).not.toMatch(/No such customer|An unknown error occurred|req_\w+/);
    }
  });

  it('Stripe failures are described in the service’s words', () => {
    const [down, unknownCustomer] = replies.slice(-2);
    expect(down?.json.error).toEqual({
      code: 'stripe_unavailable',
      message: 'Stripe could not be reached; try again shortly.',
    });
    expect(unknownCustomer?.json.error).toEqual({
      code: 'resource_missing',
      message: 'Stripe has no such customer.',
    });
  });
});
