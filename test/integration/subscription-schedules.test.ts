import type Stripe from 'stripe';
import { send } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Subscription schedules: a phase's `default_payment_method` (or the schedule's
 * `default_settings.default_payment_method`) becomes the subscription's default when that phase starts
 * (SubscriptionSchedules.d.ts `Phase.default_payment_method`, `DefaultSettings`;
 * https://docs.stripe.com/billing/subscriptions/subscription-schedules: "past phases can be omitted" from an
 * update; a schedule `from_subscription` takes the subscription's items). Time passes on a Test Clock
 * (https://docs.stripe.com/billing/testing/test-clocks).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { savedCard, makeDefault, remove, changeStatus } = savedMethodRequests(() => stack);
const DAY = 24 * 60 * 60;
const START = 1_900_000_000;

const idOf = (value: string | { id: string } | null) =>
  typeof value === 'string' ? value : (value?.id ?? null);

async function attachedCard(customer: string, token = 'tok_visa'): Promise<string> {
  const pm = await stack.stripe.paymentMethods.create({ type: 'card', card: { token } });
  await stack.stripe.paymentMethods.attach(pm.id, { customer });
  return pm.id;
}

/**
 * A subscription on its own card, on a schedule whose current phase and the next (from the period's end, for
 * `nextPhaseDays`) each name a method.
 */
async function scheduledSubscription(
  customer: string,
  methods: { own: string; current: string; next: string },
): Promise<{ subscription: Stripe.Subscription; schedule: Stripe.SubscriptionSchedule }> {
  const subscription = await stack.stripe.subscriptions.create({
    customer,
    items: [{ price: 'price_basic' }],
    default_payment_method: methods.own,
  });
  const created = await stack.stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
  const current = created.phases[0];
  if (!current) throw new Error('a schedule from a subscription has its current phase');
  const schedule = await stack.stripe.subscriptionSchedules.update(created.id, {
    phases: [
      {
        start_date: current.start_date,
        end_date: current.end_date,
        items: [{ price: 'price_basic' }],
        default_payment_method: methods.current,
      },
      {
        start_date: current.end_date,
        end_date: current.end_date + 30 * DAY,
        items: [{ price: 'price_basic', quantity: 2 }],
        default_payment_method: methods.next,
      },
    ],
  });
  return { subscription, schedule };
}

async function advance(clock: string, to: number): Promise<void> {
  await stack.stripe.testHelpers.testClocks.advance(clock, { frozen_time: to });
  await stack.stripeStandIn.testClocksReady();
}

describe('the stand-in models subscription schedules', () => {
  it('a schedule from a subscription enters its next phase on a Test Clock and applies the phase’s method', async () => {
    const clock = await stack.stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await stack.stripe.customers.create({ test_clock: clock.id });
    const first = await attachedCard(customer.id);
    const second = await attachedCard(customer.id, 'tok_mastercard');
    const { subscription, schedule } = await scheduledSubscription(customer.id, {
      own: first,
      current: first,
      next: second,
    });
    expect(schedule).toMatchObject({
      status: 'active',
      subscription: subscription.id,
      customer: customer.id,
      current_phase: { start_date: START, end_date: START + 30 * DAY },
    });
    expect(idOf((await stack.stripe.subscriptions.retrieve(subscription.id)).schedule)).toBe(schedule.id);

    await advance(clock.id, START + 31 * DAY);

    const after = await stack.stripe.subscriptions.retrieve(subscription.id);
    expect(idOf(after.default_payment_method)).toBe(second);
    expect(await stack.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      current_phase: { start_date: START + 30 * DAY, end_date: START + 60 * DAY },
    });
    // Past its last phase, `end_behavior: release` leaves the subscription on its own.
    await advance(clock.id, START + 61 * DAY);
    expect(await stack.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'released',
      released_subscription: subscription.id,
      subscription: null,
    });
    expect((await stack.stripe.subscriptions.retrieve(subscription.id)).schedule).toBeNull();
  });

  it('refuses phases naming a method the customer does not have, and a second schedule for one subscription', async () => {
    const customer = await stack.stripe.customers.create({});
    const card = await attachedCard(customer.id);
    const { subscription, schedule } = await scheduledSubscription(customer.id, {
      own: card,
      current: card,
      next: card,
    });
    const other = await stack.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    await expect(
      stack.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: 'price_basic' }], default_payment_method: other.id }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing' });
    await expect(
      stack.stripe.subscriptionSchedules.create({ from_subscription: subscription.id }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('a scheduled subscription keeps the method the service made its default', () => {
  it('a setup for a scheduled subscription: after the phase boundary the subscription still has the new card', async () => {
    const clock = await stack.stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await stack.stripe.customers.create({ test_clock: clock.id });
    const old = await attachedCard(customer.id);
    const { subscription, schedule } = await scheduledSubscription(customer.id, {
      own: old,
      current: old,
      next: old,
    });

    const saved = await savedCard(customer.id, subscription.id);
    expect(idOf((await stack.stripe.subscriptions.retrieve(subscription.id)).default_payment_method)).toBe(
      saved,
    );
    const updated = await stack.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(updated.phases.map((phase) => idOf(phase.default_payment_method))).toEqual([saved, saved]);
    // What else the phases held is kept.
    expect(updated.phases[1]?.items[0]).toMatchObject({ price: 'price_basic', quantity: 2 });

    await advance(clock.id, START + 31 * DAY);
    expect(idOf((await stack.stripe.subscriptions.retrieve(subscription.id)).default_payment_method)).toBe(
      saved,
    );
  });

  it('a switch to another saved method updates the schedule’s default settings and phases to come', async () => {
    const customer = await stack.stripe.customers.create({});
    const old = await attachedCard(customer.id);
    const chosen = await attachedCard(customer.id, 'tok_mastercard');
    const { subscription, schedule } = await scheduledSubscription(customer.id, {
      own: old,
      current: old,
      next: old,
    });
    await stack.stripe.subscriptionSchedules.update(schedule.id, {
      default_settings: { default_payment_method: old },
    });
    const switched = await makeDefault(customer.id, chosen, { subscription: subscription.id });
    expect(switched.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customer.id, switched.json.statusUrl)).toMatchObject({ status: 'applied' });
    const updated = await stack.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(idOf(updated.default_settings.default_payment_method)).toBe(chosen);
    expect(updated.phases.map((phase) => idOf(phase.default_payment_method))).toEqual([chosen, chosen]);
  });

  it('removing a method a phase to come names: refused without a replacement, replaced in the schedule with one', async () => {
    const customer = await stack.stripe.customers.create({});
    const own = await attachedCard(customer.id);
    const later = await attachedCard(customer.id, 'tok_mastercard');
    const replacement = await attachedCard(customer.id, 'tok_amex');
    const { subscription, schedule } = await scheduledSubscription(customer.id, {
      own,
      current: own,
      next: later,
    });

    const refused = await remove(customer.id, later);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain(subscription.id);

    const removal = await remove(customer.id, later, replacement);
    expect(removal.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customer.id, removal.json.statusUrl)).toMatchObject({ status: 'applied' });
    const updated = await stack.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(updated.phases.map((phase) => idOf(phase.default_payment_method))).toEqual([own, replacement]);
    // Only what the removed method would have paid moves: the subscription's own method stays.
    expect(idOf((await stack.stripe.subscriptions.retrieve(subscription.id)).default_payment_method)).toBe(
      own,
    );
    expect((await stack.stripe.paymentMethods.retrieve(later)).customer).toBeNull();
    expect((await send(`${stack.api.url}/payment-methods?customer=${customer.id}`)).status).toBe(200);
  });
});
