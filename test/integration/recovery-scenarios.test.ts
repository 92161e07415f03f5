import { WEBHOOK_EVENT_TYPES } from '../../functions/shared/flow/recovery/recovery-message';
import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { postJson, send } from '../support/http';
import {
  advanceClock,
  customerOnClock,
  DAY,
  deliver,
  drain,
  eventsSince,
  recoveryEvents,
  START,
  sendToQueue,
} from '../support/recovery';
import { STAND_IN_CONTROL_HEADERS } from '../support/stand-in-requests';

/*
 * One test per recovery path, each delivering what Stripe sends (twice, and out of order: "Stripe doesn't
 * guarantee delivery of events in the order in which they're generated" and "might occasionally receive the
 * same event more than once", https://docs.stripe.com/webhooks#event-ordering). The Stripe doc each follows
 * is named on the test.
 */
const running = useStackWithOutcomes();
const TYPES = WEBHOOK_EVENT_TYPES as string[];
const NEEDED = 'Payment method update needed';
const ELSEWHERE = 'Default changed elsewhere';
let seen: Set<string>;

beforeEach(() => {
  seen = new Set(running.stack.stripeStandIn.store.events.keys());
});

/** Everything new, delivered twice in reverse order, then the queue worked off. */
async function deliverNewEventsShuffled() {
  const events = eventsSince(running, TYPES, seen);
  await deliver(running, [...events].reverse());
  await deliver(running, events);
  await drain(running);
  return events;
}

/** A setup of `customer` through the service (session API → Checkout → webhook → worker). */
async function setupThroughService(customer: string, subscription?: string) {
  const created = await postJson(`${running.stack.api.url}/checkout-sessions`, {
    customer,
    ...(subscription ? { subscription } : {}),
  });
  const completed = await completeSession(running.stack.stripeStandIn, created.json.id);
  await deliver(running, [completed.event]);
  await drain(running);
  return completed.paymentMethod.id;
}

describe('renewal-aware expiry (invoice.upcoming, https://docs.stripe.com/billing/subscriptions/webhooks#events)', () => {
  // Stand-in cards expire three years after today; the clock starts in 2030, so the card has expired by the
  // renewal. Stripe charges the subscription's default first, then the customer's (Subscriptions.d.ts).
  it('the method that will pay expires before the charge: update needed, once', async () => {
    const { clock, customer } = await customerOnClock(running.stack.stripe, 'pm_card_visa');
    const subscription = await running.stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
    });
    await advanceClock(running, clock, START + 24 * DAY);
    const events = await deliverNewEventsShuffled();
    expect(events.map((event) => event.type)).toContain('invoice.upcoming');
    const needed = recoveryEvents(running, NEEDED);
    expect(needed).toEqual([
      expect.objectContaining({
        customerId: customer,
        subscriptionId: subscription.id,
        reason: 'expires_before_renewal',
        updateUrl: expect.stringContaining('/u/'),
      }),
    ]);
  });

  // https://docs.stripe.com/payments/cards/overview#automatic-card-updates: the network updates the card in
  // place; read fresh at invoice.upcoming, it is no longer flagged.
  it('a card the network updated (payment_method.automatically_updated) is judged on its new expiry', async () => {
    const { clock, customer, paymentMethod } = await customerOnClock(running.stack.stripe, 'pm_card_visa');
    await running.stack.stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    const control = await send(
      `${running.stack.stripeStandIn.url}/_stand-in/payment_methods/${paymentMethod}/automatically_update`,
      {
        method: 'POST',
        headers: STAND_IN_CONTROL_HEADERS,
        body: JSON.stringify({ exp_month: 12, exp_year: 2035 }),
      },
    );
    expect(control.status).toBe(200);
    await advanceClock(running, clock, START + 24 * DAY);
    const events = await deliverNewEventsShuffled();
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['payment_method.automatically_updated', 'invoice.upcoming']),
    );
    expect(recoveryEvents(running, NEEDED)).toEqual([]);
  });
});

describe('trial without a usable method (customer.subscription.trial_will_end, https://docs.stripe.com/billing/subscriptions/trials)', () => {
  it('three days before the trial ends with nothing to charge: update needed', async () => {
    const { clock, customer } = await customerOnClock(running.stack.stripe);
    const subscription = await running.stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 7,
    });
    await advanceClock(running, clock, START + 5 * DAY);
    await deliverNewEventsShuffled();
    expect(recoveryEvents(running, NEEDED)).toEqual([
      expect.objectContaining({
        customerId: customer,
        subscriptionId: subscription.id,
        reason: 'trial_ending_without_method',
      }),
    ]);
  });
});

describe('3-D Secure on an off-session renewal (https://docs.stripe.com/billing/subscriptions/overview#requires-action)', () => {
  it('invoice.payment_action_required sends the hosted invoice page, not a new-card link', async () => {
    const { clock, customer } = await customerOnClock(running.stack.stripe, 'pm_card_chargeCustomerFail');
    const subscription = await running.stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
    });
    await advanceClock(running, clock, START + 30 * DAY + 2 * 3600);
    const invoiceId = (await running.stack.stripe.subscriptions.retrieve(subscription.id))
      .latest_invoice as string;
    const invoice = running.stack.stripeStandIn.store.invoices.get(invoiceId);
    // The stand-in plays the bank asking for authentication: Stripe's event for the still-open invoice.
    running.stack.stripeStandIn.store.recordEvent(
      'invoice.payment_action_required',
      invoice as object,
      false,
    );
    eventsSince(running, ['invoice.payment_failed'], seen);
    await deliverNewEventsShuffled();
    const needed = recoveryEvents(running, NEEDED).filter((event) => event.reason === 'action_required');
    expect(needed).toHaveLength(1);
    expect(needed[0]).toMatchObject({ invoice: { id: invoiceId }, expiresAt: null });
    const hosted = (await running.stack.stripe.invoices.retrieve(invoiceId)).hosted_invoice_url ?? null;
    expect(needed[0]?.updateUrl ?? null).toBe(hosted);
  });
});

describe('a bank revokes a mandate (mandate.updated, https://docs.stripe.com/payments/sepa-debit#mandates)', () => {
  it('the default’s mandate turns inactive: update needed', async () => {
    const { stack } = running;
    const customer = await stack.stripe.customers.create({ email: 'sepa@example.com' });
    const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id });
    const completed = await completeSession(stack.stripeStandIn, created.json.id, {
      setupIntentStatus: 'processing',
    });
    await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded');
    await stack.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: completed.paymentMethod.id },
    });
    eventsSince(running, TYPES, seen);
    const revoked = await send(
      `${stack.stripeStandIn.url}/_stand-in/payment_methods/${completed.paymentMethod.id}/revoke_mandate`,
      { method: 'POST', headers: STAND_IN_CONTROL_HEADERS },
    );
    expect(revoked.status).toBe(200);
    await deliverNewEventsShuffled();
    expect(recoveryEvents(running, NEEDED)).toEqual([
      expect.objectContaining({ customerId: customer.id, reason: 'mandate_inactive' }),
    ]);
  });
});

describe('changes made elsewhere (https://docs.stripe.com/api/events/object#event_object-data-previous_attributes)', () => {
  it('the service’s own defaults come back as customer.updated / customer.subscription.updated: dropped, no Stripe call', async () => {
    const { stack } = running;
    const { customer, subscription } = await (async () => {
      const c = await stack.stripe.customers.create({ email: 'echo@example.com' });
      const s = await stack.stripe.subscriptions.create({
        customer: c.id,
        items: [{ price: 'price_basic' }],
      });
      return { customer: c.id, subscription: s.id };
    })();
    eventsSince(running, TYPES, seen);
    await setupThroughService(customer, subscription);
    const echoes = eventsSince(running, ['customer.updated', 'customer.subscription.updated'], seen);
    expect(echoes.length).toBeGreaterThanOrEqual(2);
    running.eventBridge.entries.length = 0;
    const before = stack.stripeStandIn.requests.length;
    await deliver(running, [...echoes, ...echoes]);
    await drain(running);
    expect(stack.stripeStandIn.requests.length).toBe(before);
    expect(running.eventBridge.entries).toEqual([]);
  });

  it('a default changed in the Dashboard: reported once, and the owner record follows it', async () => {
    const { stack } = running;
    const customer = (await stack.stripe.customers.create({ email: 'drift@example.com' })).id;
    await setupThroughService(customer);
    const other = await stack.stripe.paymentMethods.attach('pm_card_mastercard', { customer });
    eventsSince(running, TYPES, seen);
    running.eventBridge.entries.length = 0;
    await stack.stripe.customers.update(customer, { invoice_settings: { default_payment_method: other.id } });
    await deliverNewEventsShuffled();
    expect(recoveryEvents(running, ELSEWHERE)).toEqual([
      expect.objectContaining({ customerId: customer, subscriptionId: null, paymentMethodId: other.id }),
    ]);
    const owners = await stack.records.defaultOwners([{ kind: 'customer', id: customer }]);
    expect(owners.get(`customer:${customer}`)?.paymentMethodId).toBe(other.id);
  });

  it('the default the service set is detached elsewhere: update needed with a link', async () => {
    const { stack } = running;
    const customer = (await stack.stripe.customers.create({ email: 'detach@example.com' })).id;
    const card = await setupThroughService(customer);
    eventsSince(running, TYPES, seen);
    running.eventBridge.entries.length = 0;
    await stack.stripe.paymentMethods.detach(card);
    await deliverNewEventsShuffled();
    expect(recoveryEvents(running, NEEDED)).toEqual([
      expect.objectContaining({ customerId: customer, reason: 'default_removed_elsewhere' }),
    ]);
  });

  // https://docs.stripe.com/api/payment_methods/detach: a detached method no longer pays anything, so a
  // subscription whose own default it was (Subscriptions.d.ts default_payment_method, charged first) falls
  // back to the customer's default, and here there is none left either.
  it('a subscription’s own default set by the service is detached elsewhere: update needed for that subscription', async () => {
    const { stack } = running;
    const customer = (await stack.stripe.customers.create({ email: 'sub-detach@example.com' })).id;
    const subscription = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 14,
    });
    const card = await setupThroughService(customer, subscription.id);
    expect((await stack.stripe.subscriptions.retrieve(subscription.id)).default_payment_method).toBe(card);
    eventsSince(running, TYPES, seen);
    running.eventBridge.entries.length = 0;
    await stack.stripe.paymentMethods.detach(card);
    await deliverNewEventsShuffled();
    expect(recoveryEvents(running, NEEDED)).toEqual([
      expect.objectContaining({
        customerId: customer,
        subscriptionId: subscription.id,
        reason: 'default_removed_elsewhere',
        updateUrl: expect.stringContaining('/u/'),
      }),
    ]);
  });

  it('a deleted customer: its update links stop working (410)', async () => {
    const { stack } = running;
    const customer = (await stack.stripe.customers.create({ email: 'gone@example.com' })).id;
    const minted = await postJson(`${stack.api.url}/update-links`, { customer });
    expect(minted.status).toBe(201);
    eventsSince(running, TYPES, seen);
    await stack.stripe.customers.del(customer);
    await deliverNewEventsShuffled();
    expect((await send(minted.json.url)).status).toBe(410);
  });
});

describe('every queue message is evidence', () => {
  it('a recovery message Stripe never sent is dropped: no outcome, no link', async () => {
    const forged = {
      kind: 'stripe_event',
      eventId: 'evt_forged0000000000000000',
      eventType: 'invoice.payment_failed',
      customerId: 'cus_victim000000000000',
      objectId: 'in_forged000000000000',
      created: 1,
      livemode: false,
    };
    await sendToQueue(running, forged);
    await drain(running);
    expect(running.eventBridge.entries).toEqual([]);
  });
});
