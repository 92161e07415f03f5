import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { caughtStripeError } from '../support/stand-in-requests';

/*
 * The stand-in's Test Clocks and subscription lifecycle, driven by the pinned SDK. Oracles:
 * - Test Clocks: https://docs.stripe.com/api/test_clocks and TestHelpers/TestClocks.d.ts (`advance`: "Advancement
 *   is done when status changes to Ready"; `frozen_time` "cannot be more than two intervals in the future from the
 *   shortest subscription"), https://docs.stripe.com/billing/testing/test-clocks.
 * - Trials: https://docs.stripe.com/billing/subscriptions/trials ("An immediate invoice is still created, but for
 *   $0"; at the trial's end "we generate an invoice … Approximately 1 hour later, we attempt to charge that
 *   invoice"); CustomerSubscriptionTrialWillEndEvent ("three days before a subscription's trial period is
 *   scheduled to end") and InvoiceUpcomingEvent in Events.d.ts.
 * - Statuses: Subscription.status in Subscriptions.d.ts (`incomplete` "can only have metadata and default_source
 *   updated … If the first invoice is not paid within 23 hours, the subscription transitions to
 *   incomplete_expired … the open invoice will be voided"); `Invoice.next_payment_attempt` in Invoices.d.ts.
 * - Declines: https://docs.stripe.com/testing#declined-payments (4000 0000 0000 0341 attaches, charges fail).
 */

let standIn: StripeStandIn;
let stripe: Stripe;
const DAY = 24 * 60 * 60;
const START = 1_900_000_000;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = new Stripe('sk_test_standin', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterEach(() => standIn.reset());
afterAll(() => standIn.close());

async function advance(clock: string, to: number): Promise<Stripe.TestHelpers.TestClock> {
  const advancing = await stripe.testHelpers.testClocks.advance(clock, { frozen_time: to });
  expect(advancing.status).toBe('advancing');
  expect(advancing.status_details.advancing?.target_frozen_time).toBe(to);
  await standIn.testClocksReady();
  return stripe.testHelpers.testClocks.retrieve(clock);
}

async function eventsOf(types: string[], objectId: string): Promise<Stripe.Event[]> {
  const listed = await stripe.events.list({ types, limit: 100 });
  return listed.data
    .filter(
      (event) =>
        (event.data.object as { id?: string; subscription?: string }).id === objectId ||
        (event.data.object as Stripe.Invoice).parent?.subscription_details?.subscription === objectId,
    )
    .reverse();
}

async function customerOnClock(paymentMethod?: string): Promise<{ clock: string; customer: string }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START, name: 'renewals' });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  if (paymentMethod !== undefined) {
    const attached = await stripe.paymentMethods.attach(paymentMethod, { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: attached.id } });
  }
  return { clock: clock.id, customer: customer.id };
}

describe('Test Clocks', () => {
  it('objects on a clock carry its frozen time; advance answers advancing, then the clock is ready at the target', async () => {
    const { clock, customer } = await customerOnClock('pm_card_visa');
    expect((await stripe.customers.retrieve(customer)) as Stripe.Customer).toMatchObject({
      created: START,
      test_clock: clock,
    });
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    expect(subscription).toMatchObject({ created: START, test_clock: clock, status: 'active' });
    const ready = await advance(clock, START + DAY);
    expect(ready).toMatchObject({ status: 'ready', frozen_time: START + DAY, status_details: {} });
  });

  it('refuses to go back, to advance while advancing, or past two intervals of its shortest subscription', async () => {
    const { clock, customer } = await customerOnClock('pm_card_visa');
    await stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    expect(
      await caughtStripeError(stripe.testHelpers.testClocks.advance(clock, { frozen_time: START - 1 })),
    ).toMatchObject({
      statusCode: 400,
      param: 'frozen_time',
    });
    expect(
      await caughtStripeError(
        stripe.testHelpers.testClocks.advance(clock, { frozen_time: START + 61 * DAY }),
      ),
    ).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    await stripe.testHelpers.testClocks.advance(clock, { frozen_time: START + DAY });
    expect(
      await caughtStripeError(stripe.testHelpers.testClocks.advance(clock, { frozen_time: START + 2 * DAY })),
    ).toMatchObject({ statusCode: 400 });
    await standIn.testClocksReady();
  });
});

describe('trials and renewals on a clock', () => {
  it('a trial on 4000 0000 0000 0341: trial_will_end 3 days before, then an invoice whose charge fails with a next_payment_attempt, past_due', async () => {
    const { clock, customer } = await customerOnClock('pm_card_chargeCustomerFail');
    const subscription = await stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 7,
    });
    expect(subscription).toMatchObject({
      status: 'trialing',
      trial_start: START,
      trial_end: START + 7 * DAY,
    });
    const trialInvoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(trialInvoice).toMatchObject({
      status: 'paid',
      amount_due: 0,
      billing_reason: 'subscription_create',
    });

    await advance(clock, START + 5 * DAY);
    const warned = await eventsOf(['customer.subscription.trial_will_end'], subscription.id);
    expect(warned.map((event) => event.created)).toEqual([START + 4 * DAY]);

    await advance(clock, START + 7 * DAY + 2 * 3600);
    const failed = await eventsOf(['invoice.payment_failed'], subscription.id);
    expect(failed).toHaveLength(1);
    const invoice = failed[0]?.data.object as Stripe.Invoice;
    expect(failed[0]?.created).toBe(START + 7 * DAY + 3600);
    expect(invoice).toMatchObject({
      status: 'open',
      attempt_count: 1,
      billing_reason: 'subscription_cycle',
      next_payment_attempt: START + 10 * DAY + 3600,
      test_clock: clock,
      created: START + 7 * DAY,
    });
    const order = (
      await eventsOf(['invoice.created', 'invoice.finalized', 'invoice.payment_failed'], subscription.id)
    )
      .filter((event) => event.created >= START + 7 * DAY)
      .map((event) => event.type);
    expect(order).toEqual(['invoice.created', 'invoice.finalized', 'invoice.payment_failed']);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
  });

  it('retries on the schedule, then cancels the subscription when the last retry fails', async () => {
    const { clock, customer } = await customerOnClock('pm_card_chargeCustomerFail');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    await advance(clock, START + 30 * DAY + 3600);
    await advance(clock, START + 50 * DAY);
    const failures = await eventsOf(['invoice.payment_failed'], subscription.id);
    expect(failures.map((event) => (event.data.object as Stripe.Invoice).attempt_count)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(failures.map((event) => event.created - (START + 30 * DAY + 3600))).toEqual([
      0,
      3 * DAY,
      8 * DAY,
      15 * DAY,
    ]);
    expect((failures[3]?.data.object as Stripe.Invoice | undefined)?.next_payment_attempt).toBeNull();
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'payment_failed' } });
  });

  it('a card that works: invoice.upcoming 7 days before the renewal, then the renewal paid an hour after it is created', async () => {
    const { clock, customer } = await customerOnClock('pm_card_visa');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    await advance(clock, START + 30 * DAY + 2 * 3600);
    const upcoming = await eventsOf(['invoice.upcoming'], subscription.id);
    expect(upcoming.map((event) => event.created)).toEqual([START + 23 * DAY]);
    const paid = await eventsOf(['invoice.paid'], subscription.id);
    expect(paid.map((event) => event.created)).toEqual([START + 30 * DAY + 3600]);
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]).toMatchObject({
      current_period_start: START + 30 * DAY,
      current_period_end: START + 60 * DAY,
    });
  });

  it('a trial ending without a payment method pauses the subscription when its end behaviour says pause', async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 3,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    await advance(clock, START + 4 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('paused');
    expect(await eventsOf(['customer.subscription.paused'], subscription.id)).toHaveLength(1);
  });

  it('pause_collection void: the renewal invoice is created and voided, nothing is charged', async () => {
    const { clock, customer } = await customerOnClock('pm_card_visa');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price: 'price_monthly' }] });
    await stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: 'void' } });
    await advance(clock, START + 31 * DAY);
    const latest = await stripe.invoices.retrieve(
      (await stripe.subscriptions.retrieve(subscription.id)).latest_invoice as string,
    );
    expect(latest.status).toBe('void');
    expect(await eventsOf(['invoice.paid'], subscription.id)).toHaveLength(0);
  });
});

describe('incomplete subscriptions', () => {
  it('default_incomplete: an open first invoice; only metadata and default_source may change; paying it makes it active', async () => {
    const { customer } = await customerOnClock();
    const subscription = await stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      payment_behavior: 'default_incomplete',
    });
    expect(subscription.status).toBe('incomplete');
    const first = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(first).toMatchObject({ status: 'open', amount_due: 2000, billing_reason: 'subscription_create' });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer });
    const refused = await caughtStripeError(
      stripe.subscriptions.update(subscription.id, { default_payment_method: card.id }),
    );
    expect(refused).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'default_payment_method',
    });
    await stripe.subscriptions.update(subscription.id, { metadata: { ok: 'yes' } });
    expect((await stripe.invoices.pay(first.id, { payment_method: card.id })).status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('unpaid for 23 hours: incomplete_expired, its invoice voided', async () => {
    const { clock, customer } = await customerOnClock();
    const subscription = await stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      payment_behavior: 'default_incomplete',
    });
    await advance(clock, START + 22 * 3600);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('incomplete');
    await advance(clock, START + 24 * 3600);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'incomplete_expired',
      ended_at: START + 23 * 3600,
    });
    expect((await stripe.invoices.retrieve(subscription.latest_invoice as string)).status).toBe('void');
  });
});
