import { DECLINED_TEST_CARD } from '../../dev/stripe-stand-in';
import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { queueDepth, type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

let stack: ServiceStack;
beforeAll(async () => {
  // The deployed shape: a FIFO queue grouped by customer, the worker's backoff before the redrive count (which
  // local-aws-sqs also advances on each visibility change: the worker's hand-back and the test's own).
  stack = await startServiceStack({
    queue: { fifo: true, maxReceiveCount: 20, visibilityTimeoutSeconds: 30 },
  });
});
afterAll(() => stack.close());
afterEach(async () => {
  stack.stripeStandIn.faults.clear();
  await stack.drainQueue({ retryDelaySeconds: 0 });
});

async function newSetup(customerId?: string, subscriptionId?: string) {
  const owner = customerId
    ? { customer: { id: customerId }, subscription: { id: subscriptionId } }
    : undefined;
  const { customer, subscription } = owner ?? (await customerWithSubscription(stack.stripe));
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    ...(subscription.id ? { subscription: subscription.id } : {}),
  });
  expect(created.status).toBe(201);
  return {
    customerId: customer.id,
    subscriptionId: subscription.id as string,
    sessionId: created.json.id as string,
  };
}

const statusOf = async (sessionId: string) =>
  (await send(`${stack.api.url}/checkout-sessions/${sessionId}`)).json;
const dlqDepth = () => queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl);
const deliver = (event: unknown) =>
  deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret);
const changesOf = (path: string) =>
  stack.stripeStandIn.requests.filter(
    (request) => request.method === 'POST' && request.path === path && request.changed,
  ).length;

// "Newest" is the method the customer saved last. Both interleavings of two Checkout tabs: opened A then B,
// completed B then A (A must win) or A then B (B must win), each with the events processed in the other
// order. The stand-in's clock moves instead of the test sleeping: Stripe's timestamps are whole seconds.
describe('newest setup wins: the method saved last', () => {
  it.each([
    ['B then A', 'a'],
    ['A then B', 'b'],
  ] as const)(
    'tabs A and B opened in that order, completed %s: the last one completed is the default',
    async (_order, last) => {
      const a = await newSetup();
      stack.stripeStandIn.advanceClock(1);
      const b = await newSetup(a.customerId, a.subscriptionId);
      const [first, second] = last === 'a' ? [b, a] : [a, b];
      stack.stripeStandIn.advanceClock(1);
      const completedFirst = await completeSession(stack.stripeStandIn, first.sessionId);
      stack.stripeStandIn.advanceClock(5);
      const completedLast = await completeSession(stack.stripeStandIn, second.sessionId);

      // The last-saved setup's event is processed first: the earlier one must not take the default back.
      await deliver(completedLast.event);
      await stack.drainQueue({ retryDelaySeconds: 0 });
      await deliver(completedFirst.event);
      await stack.drainQueue({ retryDelaySeconds: 0 });

      expect(await defaultsOf(stack.stripe, a.customerId, a.subscriptionId)).toEqual({
        customerDefault: completedLast.paymentMethod.id,
        subscriptionDefault: completedLast.paymentMethod.id,
      });
      expect((await statusOf(first.sessionId)).processing.status).toBe('superseded');
      expect((await statusOf(second.sessionId)).defaultsApplied).toBe(true);
    },
  );
});

describe('a crash between the customer update and the subscription update', () => {
  it('is finished on redelivery without repeating the customer update', async () => {
    const setup = await newSetup();
    const { event, paymentMethod } = await completeSession(stack.stripeStandIn, setup.sessionId);
    // The subscription update fails through all of the SDK's retries; the customer update goes through.
    stack.stripeStandIn.faults.add({ method: 'POST', path: /^\/v1\/subscriptions\//, status: 503, times: 3 });
    stack.stripeStandIn.clearRequests();
    await deliver(event);
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });

    expect(stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/customers/${setup.customerId}$`))).toBe(
      1,
    );
    expect(changesOf(`/v1/subscriptions/${setup.subscriptionId}`)).toBe(1);
    expect(await defaultsOf(stack.stripe, setup.customerId, setup.subscriptionId)).toEqual({
      customerDefault: paymentMethod.id,
      subscriptionDefault: paymentMethod.id,
    });
  });
});

describe('a lost webhook', () => {
  it('the success page’s status request enqueues the completed session once, and the worker applies it', async () => {
    const setup = await newSetup();
    const { paymentMethod } = await completeSession(stack.stripeStandIn, setup.sessionId);
    // Three polls at once enqueue one message between them; later polls see it queued.
    await Promise.all([statusOf(setup.sessionId), statusOf(setup.sessionId), statusOf(setup.sessionId)]);
    expect(await stack.queueDepth()).toBe(1);
    expect((await statusOf(setup.sessionId)).processing.status).toBe('queued');
    expect(await stack.queueDepth()).toBe(1);

    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({
      defaultsApplied: true,
      processing: { status: 'applied' },
    });
    expect((await defaultsOf(stack.stripe, setup.customerId)).customerDefault).toBe(paymentMethod.id);
  });
});

describe('delayed payment methods', () => {
  it('processing → pending; setup_intent.succeeded → applied', async () => {
    const setup = await newSetup();
    const completed = await completeSession(stack.stripeStandIn, setup.sessionId, {
      setupIntentStatus: 'processing',
    });
    await deliver(completed.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({
      defaultsApplied: false,
      processing: { status: 'pending' },
    });

    const settled = await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded', {
      deliverTo: stack.webhookUrl,
    });
    expect(settled.delivery?.status).toBe(200);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({
      defaultsApplied: true,
      processing: { status: 'applied' },
    });
    expect(await defaultsOf(stack.stripe, setup.customerId, setup.subscriptionId)).toEqual({
      customerDefault: completed.paymentMethod.id,
      subscriptionDefault: completed.paymentMethod.id,
    });
  });

  it('processing → pending; setup_intent.setup_failed → failed with the bank’s code, nothing applied', async () => {
    const setup = await newSetup();
    const completed = await completeSession(stack.stripeStandIn, setup.sessionId, {
      setupIntentStatus: 'processing',
    });
    await deliver(completed.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'failed', {
      deliverTo: stack.webhookUrl,
    });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({
      defaultsApplied: false,
      processing: { status: 'failed', failureCode: 'debit_not_authorized' },
    });
    expect((await defaultsOf(stack.stripe, setup.customerId)).customerDefault).toBeNull();
  });
});

// The SDK declares every field of SetupIntent.LastSetupError optional: a failure may come without a code.
describe('a failed attempt whatever Stripe puts in last_setup_error', () => {
  it.each([
    [{ failureCode: null }, { status: 'failed', failureCode: 'setup_failed' }],
    [
      { failureCode: null, declineCode: 'insufficient_funds' },
      { status: 'failed', failureCode: 'insufficient_funds', declineCode: 'insufficient_funds' },
    ],
    [
      { failureCode: 'card_declined', declineCode: 'do_not_honor' },
      { status: 'failed', failureCode: 'card_declined', declineCode: 'do_not_honor' },
    ],
  ] as const)('%j is recorded failed, never left pending: %j', async (error, expected) => {
    const setup = await newSetup();
    const completed = await completeSession(stack.stripeStandIn, setup.sessionId, {
      setupIntentStatus: 'processing',
    });
    await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'failed', {
      deliverTo: stack.webhookUrl,
      ...error,
    });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await statusOf(setup.sessionId)).processing).toEqual({
      ...expected,
      updatedAt: expect.any(String),
    });
  });
});

// Checkout setup mode with Stripe's decline test card (docs.stripe.com/testing#declined-payments): the attempt
// fires setup_intent.setup_failed and leaves the session open; the customer then succeeds with another card.
describe('a declined card, then a card that works, in the same session', () => {
  async function declineThenSucceed() {
    const setup = await newSetup();
    const declined = await stack.stripeStandIn.completeCheckoutSession(setup.sessionId, {
      card: DECLINED_TEST_CARD,
    });
    expect(declined.event.type).toBe('setup_intent.setup_failed');
    expect(declined.setupIntent.status).toBe('requires_payment_method');
    await deliver(declined.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await statusOf(setup.sessionId)).processing).toMatchObject({
      status: 'failed',
      failureCode: 'card_declined',
      declineCode: 'generic_decline',
    });
    const completed = await completeSession(stack.stripeStandIn, setup.sessionId);
    return { setup, completed };
  }

  it('with the completed webhook lost, the success page neither reports the old decline nor strands the setup', async () => {
    const { setup, completed } = await declineThenSucceed();
    const status = await statusOf(setup.sessionId);
    expect(status.processing.status).not.toBe('failed');
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({
      defaultsApplied: true,
      processing: { status: 'applied' },
    });
    expect(await defaultsOf(stack.stripe, setup.customerId, setup.subscriptionId)).toEqual({
      customerDefault: completed.paymentMethod.id,
      subscriptionDefault: completed.paymentMethod.id,
    });
  });

  it('with every event delivered, the new card becomes the default', async () => {
    const { setup, completed } = await declineThenSucceed();
    for (const event of completed.events) await deliver(event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await statusOf(setup.sessionId)).toMatchObject({ defaultsApplied: true });
    expect((await defaultsOf(stack.stripe, setup.customerId)).customerDefault).toBe(
      completed.paymentMethod.id,
    );
  });
});

describe('permanent failures: recorded failed with Stripe’s code, not retried, not in the DLQ', () => {
  const cases: [
    string,
    (setup: Awaited<ReturnType<typeof newSetup>>, paymentMethodId: string) => Promise<unknown>,
  ][] = [
    // (A deleted customer is no failure: its waiting setups are superseded, recovery-deleted-customer.test.ts.)
    ['subscription canceled', (setup) => stack.stripe.subscriptions.cancel(setup.subscriptionId)],
    [
      'payment method detached',
      (_setup, paymentMethodId) => stack.stripe.paymentMethods.detach(paymentMethodId),
    ],
  ];
  it.each(cases)('%s', async (_label, breakIt) => {
    const setup = await newSetup();
    const { event, paymentMethod } = await completeSession(stack.stripeStandIn, setup.sessionId);
    await breakIt(setup, paymentMethod.id);
    await deliver(event);
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    const status = await statusOf(setup.sessionId);
    expect(status.processing).toMatchObject({ status: 'failed', failureCode: expect.any(String) });
    expect(await stack.queueDepth()).toBe(0);
    expect(await dlqDepth()).toBe(0);
  });

  it('a canceled subscription fails the setup but the record keeps the customer default that did change', async () => {
    const setup = await newSetup();
    const { event, paymentMethod, setupIntent } = await completeSession(stack.stripeStandIn, setup.sessionId);
    await stack.stripe.subscriptions.cancel(setup.subscriptionId);
    await deliver(event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await stack.records.get(setupIntent.id)).toMatchObject({
      status: 'failed',
      customerDefault: 'applied',
    });
    expect((await defaultsOf(stack.stripe, setup.customerId)).customerDefault).toBe(paymentMethod.id);
  });

  it('SetupIntent canceled', async () => {
    const setup = await newSetup();
    const completed = await completeSession(stack.stripeStandIn, setup.sessionId, {
      setupIntentStatus: 'requires_action',
    });
    await stack.stripe.setupIntents.cancel(completed.setupIntent.id);
    await deliver(completed.event);
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await statusOf(setup.sessionId)).processing).toMatchObject({
      status: 'failed',
      failureCode: 'setup_intent_canceled',
    });
    expect(await dlqDepth()).toBe(0);
  });
});

describe('transient failures: retried, then applied', () => {
  it.each([
    ['a plain 429 (the SDK does not retry it)', 429 as const, 1],
    ['a 500 that outlasts the SDK’s own retries', 500 as const, 3],
    ['a dropped connection', 'reset' as const, 3],
  ])('%s', async (_label, status, times) => {
    const setup = await newSetup();
    const { event, paymentMethod } = await completeSession(stack.stripeStandIn, setup.sessionId);
    stack.stripeStandIn.faults.add({ method: 'GET', path: /^\/v1\/setup_intents\//, status, times });
    await deliver(event);
    const drained = await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(drained.failed).toBeGreaterThanOrEqual(1);
    expect(await statusOf(setup.sessionId)).toMatchObject({ defaultsApplied: true });
    expect((await defaultsOf(stack.stripe, setup.customerId)).customerDefault).toBe(paymentMethod.id);
    expect(await dlqDepth()).toBe(0);
  });
});
