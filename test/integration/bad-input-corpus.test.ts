import { type LocalHttpApi, startHttpApi } from '../../dev/http-api/server';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { createFormTokens } from '../../functions/shared/auth/form-token';
import { STRIPE_WEBHOOK_ROUTE } from '../../functions/shared/routes';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import type { CorpusContext, CorpusCustomer, HttpCase } from '../support/bad-input-cases/context';
import { createSessionJsonCases } from '../support/bad-input-cases/create-session-json';
import { formAndStatusCases } from '../support/bad-input-cases/form-and-status';
import { formTokenCases } from '../support/bad-input-cases/form-tokens';
import { paymentMethodCases } from '../support/bad-input-cases/payment-methods';
import { queueCases, sqsEventWith } from '../support/bad-input-cases/queue';
import { webhookCases } from '../support/bad-input-cases/webhook';
import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack, TEST_SETUP_PROOF_SECRET } from '../support/service-stack';
import { bearer, forgedTokens } from '../support/tokens';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * The bad-input corpus: every route and the worker's queue input, fed what attackers and broken clients
 * send, over the real HTTP path (local API Gateway with its JWT authorizer, local issuer) with auth on.
 * Every case must get the expected 4xx (or the webhook's 200 "ignored") with a JSON body, and leave no
 * trace: nothing enqueued, no write to Stripe, and the service still answering a good request.
 */

const httpCases: HttpCase[] = [
  ...createSessionJsonCases,
  ...formAndStatusCases,
  ...formTokenCases,
  ...webhookCases,
  ...paymentMethodCases,
];

let stack: ServiceStack;
let liveWebhook: LocalHttpApi;
let context: CorpusContext;

beforeAll(async () => {
  stack = await startServiceStack({ auth: true });
  const issuer = stack.issuer as LocalJwtIssuer;
  const customer = async (): Promise<CorpusCustomer> => {
    const { customer: created, subscription } = await customerWithSubscription(stack.stripe);
    const token = await issuer.tokenFor(created.id);
    const minted = await postJson(`${stack.api.url}/form-tokens`, {}, bearer(token));
    return {
      customerId: created.id,
      subscriptionId: subscription.id,
      token,
      formToken: minted.json.formToken,
    };
  };
  const [owner, other] = await Promise.all([customer(), customer()]);
  const createSession = async () =>
    (await postJson(`${stack.api.url}/checkout-sessions`, {}, bearer(owner.token))).json.id as string;
  const [ownerSessionId, completedSessionId] = [await createSession(), await createSession()];
  const { event: completedEvent } = await completeSession(stack.stripeStandIn, completedSessionId);
  liveWebhook = await startHttpApi([
    { routeKey: STRIPE_WEBHOOK_ROUTE, handler: wireStripeWebhook({ ...stack.env, STRIPE_MODE: 'live' }) },
  ]);
  context = {
    apiUrl: stack.api.url,
    webhookUrl: stack.webhookUrl,
    liveWebhookUrl: `${liveWebhook.url}/webhooks/stripe`,
    webhookSecret: stack.env.STRIPE_WEBHOOK_SECRET as string,
    issuer,
    owner,
    other,
    ownerSessionId,
    completedEvent,
    forged: await forgedTokens(issuer, owner.customerId),
    forgedFormTokens: {
      expired: (
        await createFormTokens(async () => [TEST_SETUP_PROOF_SECRET]).mint(owner.customerId, 1_700_000_000)
      ).formToken,
      otherSecret: (
        await createFormTokens(async () => ['another-service-secret-0123456789abcdef']).mint(
          owner.customerId,
          Date.now() / 1000,
        )
      ).formToken,
    },
    otherPaymentMethodId: await savedCardOf(other.customerId),
  };
  expect(await stack.queueDepth()).toBe(0);
});
afterAll(async () => {
  await liveWebhook?.close();
  await stack?.close();
});

async function savedCardOf(customerId: string): Promise<string> {
  const card = await stack.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  await stack.stripe.paymentMethods.attach(card.id, { customer: customerId });
  return card.id;
}

/** Requests that change something at Stripe; reads (the subscription check, the status) are fine. */
const stripeWrites = () =>
  stack.stripeStandIn.requests
    .filter((request) => request.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);

it(`has at least 60 cases (${httpCases.length} over HTTP, ${queueCases.length} on the queue)`, () => {
  expect(httpCases.length + queueCases.length).toBeGreaterThanOrEqual(60);
  for (const route of [
    'POST /checkout-sessions',
    'POST /create-checkout-session',
    'POST /form-tokens',
    'GET /checkout-sessions/{id}',
    'POST /webhooks/stripe',
    'GET /payment-methods',
    'POST /payment-methods/{id}/default',
    'DELETE /payment-methods/{id}',
    'GET /payment-methods/changes/{id}',
  ]) {
    expect(httpCases.filter((testCase) => testCase.route === route).length).toBeGreaterThanOrEqual(6);
  }
});

describe.each([
  'POST /checkout-sessions',
  'POST /create-checkout-session',
  'POST /form-tokens',
  'GET /checkout-sessions/{id}',
  'POST /webhooks/stripe',
  'GET /payment-methods',
  'POST /payment-methods/{id}/default',
  'DELETE /payment-methods/{id}',
  'GET /payment-methods/changes/{id}',
])('%s', (route) => {
  const cases = httpCases.filter((testCase) => testCase.route === route);
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    stack.stripeStandIn.clearRequests();
    const reply = await testCase.send(context);
    const { expected } = testCase;

    // Status and body together, so a failure shows what came back.
    expect(`${reply.status} ${reply.text}`).toMatch(new RegExp(`^${expected.status} `));
    expect(reply.status).toBeLessThan(500);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    if (expected.body === 'unauthorized') expect(reply.json).toEqual({ message: 'Unauthorized' });
    else if (expected.body === 'ignored') expect(reply.json).toEqual({ received: true, enqueued: false });
    else {
      expect(reply.json).toEqual({
        error: { code: expected.code ?? expect.any(String), message: expect.any(String) },
      });
    }
    expect(await stack.queueDepth()).toBe(0);
    expect(stripeWrites()).toEqual([]);

    // Still healthy: the owner reads their own session.
    const healthy = await send(`${context.apiUrl}/checkout-sessions/${context.ownerSessionId}`, {
      headers: bearer(context.owner.token),
    });
    expect(healthy.status).toBe(200);
  });
});

describe('the worker’s queue input', () => {
  it.each(queueCases)('%s: no Stripe call, no crash', async (_name, body) => {
    stack.stripeStandIn.clearRequests();
    const result = await stack.worker(sqsEventWith(body));
    // Reported failed (redelivered, then the DLQ) or recorded failed and acknowledged: either way, inert.
    expect(Array.isArray(result.batchItemFailures)).toBe(true);
    expect(stack.stripeStandIn.requests).toEqual([]);
    expect(await stack.queueDepth()).toBe(0);
  });
});

it('after the whole corpus, the full flow still works', async () => {
  const created = await postJson(`${context.apiUrl}/checkout-sessions`, {}, bearer(context.owner.token));
  expect(created.status).toBe(201);
  const { event, paymentMethod } = await completeSession(stack.stripeStandIn, created.json.id);
  const delivered = await deliverSignedEvent(context.webhookUrl, event, context.webhookSecret);
  expect(delivered.json).toEqual({ received: true, enqueued: true });
  await stack.drainQueue({ retryDelaySeconds: 0 });
  const status = await send(`${context.apiUrl}/checkout-sessions/${created.json.id}`, {
    headers: bearer(context.owner.token),
  });
  expect(status.json).toMatchObject({ defaultsApplied: true, paymentMethod: { id: paymentMethod.id } });
});
