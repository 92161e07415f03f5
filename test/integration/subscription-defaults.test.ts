import type Stripe from 'stripe';
import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * The stale-subscription-default trap. Stripe's oracle (Subscriptions.d.ts, `default_payment_method`): "It
 * must belong to the customer associated with the subscription. This takes precedence over
 * `default_source`. If neither are set, invoices will use the customer's invoice_settings.default_payment_method".
 * So a subscription that got its own default from an earlier setup keeps charging that method after the
 * customer saves a new card without naming the subscription — unless the service moves it along.
 */

const running = useStackWithOutcomes();

type Worker = ReturnType<typeof wireSetupWorker>;

/**
 * Stripe orders setups by their SetupIntent's `created`, in whole seconds: two setups of one customer in the
 * same second are a tie. Each setup here starts in a second of its own, so "the later one" is well defined.
 */
async function nextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === second) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function setup(
  worker: Worker,
  customerId: string,
  subscriptionId?: string,
  card?: string,
  onStatus?: (status: { appliedTo?: { subscriptionsMoved?: string[] } }) => void,
) {
  await nextSecond();
  const created = await postJson(`${running.stack.api.url}/checkout-sessions`, {
    customer: customerId,
    ...(subscriptionId ? { subscription: subscriptionId } : {}),
  });
  expect(created.status).toBe(201);
  const completed = await completeSession(running.stack.stripeStandIn, created.json.id, card ? { card } : {});
  await deliverSignedEvent(
    running.stack.webhookUrl,
    completed.event,
    running.stack.stripeStandIn.webhookSecret,
  );
  await drainQueue(running.stack.sqs.client, running.stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
  onStatus?.(
    (await send(`${running.stack.api.url}/checkout-sessions/${created.json.id}?customer=${customerId}`)).json,
  );
  return completed.paymentMethod.id;
}

/** A second subscription whose own default is a method the customer chose for it on purpose. */
async function subscriptionOnItsOwnMethod(
  customerId: string,
): Promise<{ sub: Stripe.Subscription; pm: string }> {
  const pm = await running.stack.stripe.paymentMethods.create({
    type: 'card',
    card: { token: 'tok_mastercard' },
  });
  await running.stack.stripe.paymentMethods.attach(pm.id, { customer: customerId });
  const sub = await running.stack.stripe.subscriptions.create({
    customer: customerId,
    items: [{ price: 'price_team' }],
    default_payment_method: pm.id,
  });
  return { sub, pm: pm.id };
}

const detailsOf = () => running.eventBridge.entries.map((entry) => JSON.parse(entry.Detail));

describe('no stale subscription defaults (subscriptionDefaults)', () => {
  it('follow (the default): a new card without a subscription also replaces the old card on the subscriptions it paid', async () => {
    const worker = wireSetupWorker({ ...running.stack.env, EVENT_BUS_NAME: 'saas-events' });
    const { customer, subscription } = await customerWithSubscription(running.stack.stripe);
    const first = await setup(worker, customer.id, subscription.id);
    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: first,
      subscriptionDefault: first,
    });
    const chosen = await subscriptionOnItsOwnMethod(customer.id);
    running.eventBridge.entries.length = 0;

    let status: { appliedTo?: { subscriptionsMoved?: string[] } } = {};
    const second = await setup(worker, customer.id, undefined, '5555555555554444', (seen) => {
      status = seen;
    });

    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: second,
      subscriptionDefault: second,
    });
    // The subscription on a method the customer chose for it is left alone.
    expect((await running.stack.stripe.subscriptions.retrieve(chosen.sub.id)).default_payment_method).toBe(
      chosen.pm,
    );
    const applied = detailsOf().filter((detail) => detail.status === 'applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ paymentMethodId: second, subscriptionsMoved: [subscription.id] });
    // The success page learns it too: the session named no subscription, yet one followed.
    expect(status.appliedTo).toEqual({
      customer: customer.id,
      subscription: null,
      paymentMethod: second,
      subscriptionsMoved: [subscription.id],
    });
  });

  it('a subscription that inherits the customer default is not given a default of its own', async () => {
    const worker = wireSetupWorker(running.stack.env);
    const { customer, subscription } = await customerWithSubscription(running.stack.stripe);
    await setup(worker, customer.id);
    const second = await setup(worker, customer.id);
    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: second,
      subscriptionDefault: null,
    });
  });

  it('a canceled subscription on the old card is not touched (Stripe refuses updates to it)', async () => {
    const worker = wireSetupWorker(running.stack.env);
    const { customer, subscription } = await customerWithSubscription(running.stack.stripe);
    const first = await setup(worker, customer.id, subscription.id);
    await running.stack.stripe.subscriptions.cancel(subscription.id);
    const second = await setup(worker, customer.id);
    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: second,
      subscriptionDefault: first,
    });
  });

  it('named-only: today’s behaviour, only a named subscription changes', async () => {
    const worker = wireSetupWorker({ ...running.stack.env, SUBSCRIPTION_DEFAULTS: 'named-only' });
    const { customer, subscription } = await customerWithSubscription(running.stack.stripe);
    const first = await setup(worker, customer.id, subscription.id);
    const second = await setup(worker, customer.id);
    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: second,
      subscriptionDefault: first,
    });
  });

  it('a redelivery after a crash between the customer update and the moves finishes the moves once', async () => {
    const worker = wireSetupWorker(running.stack.env);
    const { customer, subscription } = await customerWithSubscription(running.stack.stripe);
    await setup(worker, customer.id, subscription.id);
    // The subscription update fails for the first try (a transient 500, past the SDK's retries too).
    running.stack.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`^/v1/subscriptions/${subscription.id}$`),
      status: 500,
      times: 3,
    });
    const second = await setup(worker, customer.id);
    expect(await defaultsOf(running.stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: second,
      subscriptionDefault: second,
    });
    expect(await running.stack.queueDepth()).toBe(0);
  });
});
