import { toHttpApiEvent } from '../../dev/http-api/event';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { createDynamoDbSessionCompletions } from '../../functions/shared/adapters/dynamodb-session-completions';
import { createDynamoDbClient } from '../../functions/shared/aws-clients/dynamodb';
import { WEBHOOK_RECORD_TRUSTED_SECONDS } from '../../functions/shared/flow/setup-status';
import { completeSession } from '../support/checkout';
import { deliveredSetup } from '../support/delivered-setup';
import { customerWithSubscription } from '../support/fixtures';
import { postJson } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Stripe's rate limit is per account and shared by the worker, the SaaS and the session API
 * (https://docs.stripe.com/rate-limits), while a success page polls the status route every second or so. A
 * setup whose `checkout.session.completed` the webhook received (Stripe signs it: the event carries the
 * Checkout Session object, Sessions.d.ts, with its `customer`, `metadata` and `setup_intent` id) is answered
 * from DynamoDB while it waits in the queue and once applied; only a session the webhook never recorded is
 * read from Stripe (GET /v1/checkout/sessions/:id, counted in the stand-in's request log) and re-queued.
 * Two session API instances poll alternately, sharing nothing but the table.
 */
let stack: ServiceStack;
beforeAll(async () => {
  // As deployed: an unsettled session's Stripe view is shared for 3 s (STATUS_SHARED_REFRESH_SECONDS).
  stack = await startServiceStack({ env: { STATUS_SHARED_REFRESH_SECONDS: '3' } });
});
afterAll(() => stack.close());

const sessionReads = (sessionId: string) =>
  stack.stripeStandIn.countRequests('GET', new RegExp(`^/v1/checkout/sessions/${sessionId}$`));
const stripeRequests = () => stack.stripeStandIn.requests.length;

async function poll(sessionId: string, polls: number, customer?: string) {
  const instances = [wireCheckoutApi(stack.env), wireCheckoutApi(stack.env)];
  const query = customer ? `?customer=${customer}` : '';
  const answers: { statusCode: number; body: Record<string, unknown> }[] = [];
  for (let index = 0; index < polls; index++) {
    const handler = instances[index % 2] as (typeof instances)[number];
    const reply = await handler(
      toHttpApiEvent({ method: 'GET', url: `/checkout-sessions/${sessionId}${query}` }),
    );
    answers.push({ statusCode: reply.statusCode ?? 0, body: JSON.parse(reply.body ?? '{}') });
  }
  return answers;
}

/** A session created through the API and completed at Stripe, its webhook never delivered. */
async function completedWithoutWebhook() {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  const sessionId = created.json.id as string;
  return { customer, sessionId, completion: await completeSession(stack.stripeStandIn, sessionId) };
}

describe('status route: a finished setup is answered from DynamoDB, not Stripe', () => {
  it('while the delivered webhook’s message waits for a worker, no poll reads Stripe', async () => {
    const setup = await deliveredSetup(stack);
    const { sessionId } = setup;
    stack.stripeStandIn.clearRequests();
    const answers = await poll(sessionId, 10, setup.customerId);
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(200));
    expect(answers[9]?.body).toMatchObject({
      id: sessionId,
      status: 'complete',
      customer: setup.customerId,
      setupIntent: { id: setup.setupIntentId, status: null },
      defaultsApplied: false,
      processing: { status: 'queued' },
    });
    expect(stripeRequests()).toBe(0);
    // Another customer's session answers 404, exactly like a missing one, still without Stripe.
    const other = await poll(sessionId, 1, 'cus_someoneelse');
    expect(other[0]?.statusCode).toBe(404);
    expect(stripeRequests()).toBe(0);
    // The webhook's message is the only one: the status route queued nothing beside it.
    expect((await stack.drainQueue({ retryDelaySeconds: 0 })).received).toBe(1);
  });

  it('once applied, every poll names the method the worker read, without Stripe', async () => {
    const setup = await deliveredSetup(stack);
    const { sessionId } = setup;
    await stack.drainQueue({ retryDelaySeconds: 0 });
    stack.stripeStandIn.clearRequests();
    const answers = await poll(sessionId, 10);
    expect(answers[9]?.body).toMatchObject({
      status: 'complete',
      setupIntent: { id: setup.setupIntentId, status: 'succeeded' },
      paymentMethod: { id: setup.paymentMethodId, type: 'card', brand: 'visa', last4: '4242' },
      defaultsApplied: true,
      appliedTo: { customer: setup.customerId, paymentMethod: setup.paymentMethodId },
    });
    expect(sessionReads(sessionId)).toBe(0);
  });

  it('a session whose webhook never came is read from Stripe once and queued by the status route', async () => {
    const { sessionId, completion } = await completedWithoutWebhook();
    stack.stripeStandIn.clearRequests();
    const answers = await poll(sessionId, 6);
    expect(answers[5]?.body).toMatchObject({ status: 'complete', processing: { status: 'queued' } });
    expect(sessionReads(sessionId)).toBe(1);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await stack.records.get(completion.setupIntent.id))?.status).toBe('applied');
  });

  it('a recorded completion no worker took within the trusted time is read from Stripe and queued again', async () => {
    const { customer, sessionId, completion } = await completedWithoutWebhook();
    // The webhook recorded it long ago, and its message never reached a worker (dead-lettered, purged).
    await createDynamoDbSessionCompletions(createDynamoDbClient(), {
      tableName: stack.env.TABLE_NAME as string,
      recordRetentionDays: 30,
    }).record({
      sessionId,
      setupIntentId: completion.setupIntent.id,
      customerId: customer.id,
      metadata: {},
      livemode: false,
      completedAt: Math.floor(Date.now() / 1000) - WEBHOOK_RECORD_TRUSTED_SECONDS - 60,
    });
    stack.stripeStandIn.clearRequests();
    await poll(sessionId, 3);
    expect(sessionReads(sessionId)).toBe(1);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await stack.records.get(completion.setupIntent.id))?.status).toBe('applied');
  });
});

describe("status route: the caller's Stripe-call budget pays only for Stripe reads", () => {
  // The smallest budget the configuration accepts (the costliest route's calls), refilled very slowly.
  const tightBudget = () => ({
    ...stack.env,
    STRIPE_CALL_BURST_PER_CALLER: '5',
    STRIPE_CALLS_PER_CALLER_PER_SECOND: '0.01',
  });

  it('polls answered from the table cost nothing, however many; reads from Stripe are still charged', async () => {
    const setup = await deliveredSetup(stack);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    const handler = wireCheckoutApi(tightBudget());
    const statusOf = async (sessionId: string) =>
      (
        await handler(
          toHttpApiEvent({
            method: 'GET',
            url: `/checkout-sessions/${sessionId}?customer=${setup.customerId}`,
          }),
        )
      ).statusCode;
    const finished = [];
    for (let poll = 0; poll < 20; poll++) finished.push(await statusOf(setup.sessionId));
    expect(finished).toEqual(Array(20).fill(200));
    // Made-up ids reach Stripe (404 there): the budget's 5 calls, then 429 before Stripe is asked.
    stack.stripeStandIn.clearRequests();
    const guessed = [];
    for (let poll = 0; poll < 8; poll++) guessed.push(await statusOf(`cs_test_madeup${poll}`));
    expect(guessed).toEqual([...Array(5).fill(404), ...Array(3).fill(429)]);
    expect(stack.stripeStandIn.countRequests('GET', /^\/v1\/checkout\/sessions\//)).toBe(5);
  });
});
