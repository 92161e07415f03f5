import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { TABLE_PARTITION_KEY } from '../../functions/shared/adapters/dynamodb-setup-records';
import { completeSession, customerlessSetupSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { type HttpReply, postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { bearer, formTokenFrom } from '../support/tokens';
import { deliverSignedEvent, setupMessageBody } from '../support/webhooks';

/*
 * The attacks of issue 12, each tried as an attacker would against the stack with authentication on:
 * a stale success URL, a status route that spends the Stripe rate limit, cross-site form posts, setups this
 * service did not create, and metadata that names someone else's customer or subscription.
 */

const STATUS_BUDGET = 12;
const DAY = 86_400;
const MASTERCARD = '5555555555554444';

let stack: ServiceStack;
let issuer: LocalJwtIssuer;
beforeAll(async () => {
  stack = await startServiceStack({
    auth: true,
    env: { STATUS_REQUESTS_PER_CUSTOMER_PER_MINUTE: String(STATUS_BUDGET) },
  });
  issuer = stack.issuer as LocalJwtIssuer;
});
afterAll(() => stack.close());

async function signedInCustomer() {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  return {
    customerId: customer.id,
    subscriptionId: subscription.id,
    token: await issuer.tokenFor(customer.id),
  };
}
type Customer = Awaited<ReturnType<typeof signedInCustomer>>;

/**
 * A setup through the service from start to finish: session, Checkout with `card`, webhook, worker.
 * `agedBy` moves it back in time before it is processed, so two setups in one test are a second apart
 * at least (Stripe's `created` has whole seconds).
 */
async function appliedSetup(customer: Customer, card?: string, agedBy = 0) {
  const created = await postJson(
    `${stack.api.url}/checkout-sessions`,
    { subscription: customer.subscriptionId },
    bearer(customer.token),
  );
  expect(created.status).toBe(201);
  const completed = await completeSession(stack.stripeStandIn, created.json.id, card ? { card } : {});
  age(completed, agedBy);
  await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
  await stack.drainQueue({ retryDelaySeconds: 0 });
  return completed;
}

const statusOf = (sessionId: string, customer: Customer): Promise<HttpReply> =>
  send(`${stack.api.url}/checkout-sessions/${sessionId}`, { headers: bearer(customer.token) });

/** Moves a completed setup back in time, as if it had happened `seconds` ago (the stand-in's clock is ours). */
function age(completed: Awaited<ReturnType<typeof appliedSetup>>, seconds: number) {
  const { store } = stack.stripeStandIn;
  const attempt = store.getSetupIntent(completed.setupIntent.id)?.latest_attempt;
  for (const stored of [
    store.getCheckoutSession(completed.session.id),
    store.getSetupIntent(completed.setupIntent.id),
    store.getPaymentMethod(completed.paymentMethod.id),
    // When the setup succeeded: what orders setups ("saved last wins").
    attempt ? (store.findById(attempt) as { created: number } | undefined) : undefined,
  ]) {
    if (stored) stored.created -= seconds;
  }
}

/** What DynamoDB's TTL does once records pass their `expiresAt`; `everything` also takes records without one. */
async function expireRecords(options: { everything?: boolean } = {}) {
  const { client, tableName } = stack.dynamodb;
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  for (const item of Items) {
    if (!options.everything && !item.expiresAt) continue;
    const key = item[TABLE_PARTITION_KEY];
    if (key)
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { [TABLE_PARTITION_KEY]: key } }));
  }
}

describe('finding 1: an old success URL cannot switch a customer back to an old card', () => {
  async function visaThenMastercard() {
    const customer = await signedInCustomer();
    const visa = await appliedSetup(customer, undefined, 60);
    const mastercard = await appliedSetup(customer, MASTERCARD);
    const expected = {
      customerDefault: mastercard.paymentMethod.id,
      subscriptionDefault: mastercard.paymentMethod.id,
    };
    expect(await defaultsOf(stack.stripe, customer.customerId, customer.subscriptionId)).toEqual(expected);
    return { customer, visa, expected };
  }

  it('records expired, the old session polled 31 days on: nothing is enqueued and nothing changes', async () => {
    const { customer, visa, expected } = await visaThenMastercard();
    age(visa, 31 * DAY);
    await expireRecords();

    const reply = await statusOf(visa.session.id, customer);
    expect(reply.status).toBe(200);
    expect(reply.json.processing).toEqual({ status: 'not_started' });
    expect(await stack.queueDepth()).toBe(0);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await defaultsOf(stack.stripe, customer.customerId, customer.subscriptionId)).toEqual(expected);
  });

  it('an old setup that reaches the worker anyway (a redrive) is refused as older than the records', async () => {
    const { customer, visa, expected } = await visaThenMastercard();
    age(visa, 31 * DAY);
    await expireRecords({ everything: true });
    await stack.sqs.client.send(
      new SendMessageCommand({ QueueUrl: stack.sqs.queueUrl, MessageBody: setupMessageBody(visa) }),
    );
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await stack.records.get(visa.setupIntent.id)).toMatchObject({
      status: 'failed',
      failureCode: 'setup_too_old',
    });
    expect(await defaultsOf(stack.stripe, customer.customerId, customer.subscriptionId)).toEqual(expected);
  });

  it('with no owner record left, Stripe’s current default (a newer method) is not rolled back', async () => {
    const { customer, visa, expected } = await visaThenMastercard();
    // Inside Stripe's retry window, so the status path does enqueue it; owner records gone as well, as
    // records written by earlier versions expired: only what Stripe holds can tell which card is newer.
    age(visa, 2 * DAY);
    await expireRecords({ everything: true });

    await statusOf(visa.session.id, customer);
    expect(await stack.queueDepth()).toBe(1);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await stack.records.get(visa.setupIntent.id)).toMatchObject({ status: 'superseded' });
    expect(await defaultsOf(stack.stripe, customer.customerId, customer.subscriptionId)).toEqual(expected);
  });

  it('owner records do not expire, so they outlive the setups they are compared against', async () => {
    const customer = await signedInCustomer();
    await appliedSetup(customer);
    await expireRecords();
    const owners = await stack.records.defaultOwners([
      { kind: 'customer', id: customer.customerId },
      { kind: 'subscription', id: customer.subscriptionId },
    ]);
    expect(owners.size).toBe(2);
  });
});

describe('finding 2: the status route has a per-caller budget and caches Stripe’s answer', () => {
  const stripeSessionReads = () => stack.stripeStandIn.countRequests('GET', /^\/v1\/checkout\/sessions\/cs_/);

  it('made-up ids cost at most the caller’s budget in Stripe reads, then 429 with Retry-After', async () => {
    const caller = await signedInCustomer();
    stack.stripeStandIn.clearRequests();
    const replies = await Promise.all(
      Array.from({ length: STATUS_BUDGET + 8 }, (_, index) => statusOf(`cs_test_madeup${index}`, caller)),
    );
    const limited = replies.filter((reply) => reply.status === 429);
    expect(limited).toHaveLength(8);
    expect(limited[0]?.json.error.code).toBe('rate_limited');
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(stripeSessionReads()).toBeLessThanOrEqual(STATUS_BUDGET);
  });

  it('a success page polling a finished session costs no Stripe read: the webhook and the worker recorded it', async () => {
    const customer = await signedInCustomer();
    const completed = await appliedSetup(customer);
    stack.stripeStandIn.clearRequests();
    for (let poll = 0; poll < 10; poll++) {
      const reply = await statusOf(completed.session.id, customer);
      expect(reply.json).toMatchObject({ defaultsApplied: true, status: 'complete' });
    }
    expect(stripeSessionReads()).toBe(0);
  });
});

describe('finding 3: the form refuses cross-site posts; Checkout links expire', () => {
  const formPost = async (customer: Customer, headers: Record<string, string>) =>
    send(`${stack.api.url}/create-checkout-session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token: await formTokenFrom(stack.api.url, customer.token) }).toString(),
    });

  it('answers 403 JSON to another site and creates no session, but serves the SaaS’s own origin', async () => {
    const customer = await signedInCustomer();
    stack.stripeStandIn.clearRequests();
    const refused = await formPost(customer, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('cross_site_request');
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/checkout\/sessions$/)).toBe(0);

    // The billing page usually lives on another site than the API: an allowed Origin is what counts.
    const allowed = await formPost(customer, {
      origin: 'https://app.example.com',
      'sec-fetch-site': 'cross-site',
    });
    expect(allowed.status).toBe(303);
  });

  it('creates sessions that expire 30 minutes on (expires_at, within Stripe’s 30 min–24 h)', async () => {
    const customer = await signedInCustomer();
    const before = Math.floor(Date.now() / 1000);
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {}, bearer(customer.token));
    const session = await stack.stripe.checkout.sessions.retrieve(created.json.id);
    expect(session.expires_at - before).toBeGreaterThanOrEqual(30 * 60);
    expect(session.expires_at - before).toBeLessThan(35 * 60);
  });
});

describe('finding 4: the status path enqueues only setups this service created', () => {
  it.each([
    ['without the created_by marker (the SaaS’s own setup)', {}],
    ['with the marker but copied metadata and no proof', { created_by: 'stripe-setup-mode-service' }],
  ])('a completed session %s is not enqueued', async (_name, extra) => {
    const customer = await signedInCustomer();
    const metadata = { customer_id: customer.customerId, subscription_id: customer.subscriptionId, ...extra };
    const session = await stack.stripe.checkout.sessions.create({
      mode: 'setup',
      customer: customer.customerId,
      currency: 'usd',
      success_url: 'https://app.example.com/done',
      metadata,
      setup_intent_data: { metadata },
    });
    await completeSession(stack.stripeStandIn, session.id);
    const reply = await statusOf(session.id, customer);
    expect(reply.status).toBe(200);
    expect(reply.json.processing).toEqual({ status: 'not_started' });
    expect(await stack.queueDepth()).toBe(0);
  });
});

describe('finding 5: metadata alone never names whose card or subscription it is', () => {
  /** Other code on the same Stripe account, copying what its client sent into the metadata. */
  async function setupWithCopiedMetadata(attacker: Customer | null, metadata: Record<string, string>) {
    const session = await stack.stripe.checkout.sessions.create({
      mode: 'setup',
      ...(attacker ? { customer: attacker.customerId } : {}),
      currency: 'usd',
      success_url: 'https://app.example.com/done',
      metadata,
      setup_intent_data: { metadata },
    });
    const completed = await completeSession(stack.stripeStandIn, session.id);
    stack.stripeStandIn.clearRequests();
    const delivered = await deliverSignedEvent(
      stack.webhookUrl,
      completed.event,
      stack.stripeStandIn.webhookSecret,
    );
    expect(delivered.json).toEqual({ received: true, enqueued: true });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    return completed;
  }

  it('a customer-less SetupIntent naming a victim is not attached to them nor made their default', async () => {
    const victim = await signedInCustomer();
    const before = await defaultsOf(stack.stripe, victim.customerId, victim.subscriptionId);
    const completed = await setupWithCopiedMetadata(null, {
      customer_id: victim.customerId,
      subscription_id: victim.subscriptionId,
      created_by: 'stripe-setup-mode-service',
    });
    expect(stack.stripeStandIn.countRequests('POST', /\/attach$/)).toBe(0);
    expect(await defaultsOf(stack.stripe, victim.customerId, victim.subscriptionId)).toEqual(before);
    expect(await stack.records.get(completed.setupIntent.id)).toMatchObject({
      status: 'failed',
      failureCode: 'setup_unproven',
    });
  });

  it('an attacker’s own setup naming a victim’s subscription never touches that subscription', async () => {
    const [attacker, victim] = [await signedInCustomer(), await signedInCustomer()];
    await setupWithCopiedMetadata(attacker, {
      customer_id: attacker.customerId,
      subscription_id: victim.subscriptionId,
      created_by: 'stripe-setup-mode-service',
    });
    expect(
      stack.stripeStandIn.countRequests('POST', new RegExp(`/v1/subscriptions/${victim.subscriptionId}$`)),
    ).toBe(0);
  });

  it('a customer-less setup whose metadata carries the proof is still attached (the guide’s path)', async () => {
    const customer = await signedInCustomer();
    const created = await customerlessSetupSession(
      stack.stripe,
      stack.env.SETUP_PROOF_SECRET as string,
      customer.customerId,
      customer.subscriptionId,
    );
    const completed = await completeSession(stack.stripeStandIn, created.id);
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await defaultsOf(stack.stripe, customer.customerId, customer.subscriptionId)).toEqual({
      customerDefault: completed.paymentMethod.id,
      subscriptionDefault: completed.paymentMethod.id,
    });
  });
});

describe('finding 9: what reaches Stripe is what was checked; nosniff everywhere', () => {
  it('sends the normalised redirect URL, not the text as typed', async () => {
    const customer = await signedInCustomer();
    const created = await postJson(
      `${stack.api.url}/checkout-sessions`,
      {
        successUrl: 'https://SHOP.example.com:443/a/../thanks',
        cancelUrl: 'https://shop.example.com/./back',
      },
      bearer(customer.token),
    );
    expect(created.status).toBe(201);
    const session = await stack.stripe.checkout.sessions.retrieve(created.json.id);
    expect(session.success_url).toBe('https://shop.example.com/thanks?session_id={CHECKOUT_SESSION_ID}');
    expect(session.cancel_url).toBe('https://shop.example.com/back');
  });

  it('every answer of the functions carries X-Content-Type-Options: nosniff', async () => {
    const customer = await signedInCustomer();
    const replies = await Promise.all([
      postJson(`${stack.api.url}/checkout-sessions`, {}, bearer(customer.token)),
      statusOf('cs_test_doesnotexist', customer),
      send(`${stack.api.url}/create-checkout-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: await formTokenFrom(stack.api.url, customer.token) }).toString(),
      }),
      send(stack.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([201, 404, 303, 400]);
    for (const reply of replies) expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
