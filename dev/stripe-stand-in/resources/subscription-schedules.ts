import type Stripe from 'stripe';
import { PERIOD_SECONDS } from '../billing/billing-settings';
import { invalidRequest, resourceMissing } from '../errors';
import type { FormObject, FormValue } from '../form-encoding';
import { newId } from '../ids';
import { applyMetadata, optionalInteger, optionalObject, optionalString, requiredString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredSubscription } from '../types';
import { requireAttachedTo } from './payment-methods';

/**
 * Subscription schedules (https://docs.stripe.com/billing/subscriptions/subscription-schedules; the object and
 * its params in SubscriptionSchedules.d.ts). Modelled: a schedule made `from_subscription` ("created using the
 * subscription's item(s) … other parameters (such as phase values) cannot be set"), its phases replaced by an
 * update ("past phases can be omitted"), `default_settings`, `end_behavior`, release; the phase transition runs
 * in `billing/schedule-phases.ts`. A schedule made from `customer` and `phases` (a subscription starting later)
 * is not modelled.
 */
export type StoredSubscriptionSchedule = Stripe.SubscriptionSchedule & {
  customer: string;
  subscription: string | null;
  test_clock: string | null;
};

function scheduleFromPath(store: StandInStore, id: string | undefined): StoredSubscriptionSchedule {
  const schedule = store.subscriptionSchedules.get(id ?? '');
  if (schedule === undefined) throw resourceMissing('subscription_schedule', id ?? '', 'schedule');
  return schedule;
}

function phaseItemsOf(subscription: StoredSubscription): Stripe.SubscriptionSchedule.Phase.Item[] {
  return subscription.items.data.map((item) => ({
    billing_thresholds: null,
    discounts: [],
    metadata: {},
    plan: item.plan.id,
    price: item.price.id,
    quantity: item.quantity,
    tax_rates: [],
  }));
}

function phase(
  fields: Pick<
    Stripe.SubscriptionSchedule.Phase,
    'currency' | 'default_payment_method' | 'end_date' | 'items' | 'metadata' | 'start_date'
  >,
): Stripe.SubscriptionSchedule.Phase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    description: null,
    discounts: [],
    invoice_settings: null,
    on_behalf_of: null,
    proration_behavior: 'create_prorations',
    transfer_data: null,
    trial_end: null,
    ...fields,
  };
}

/**
 * `from_subscription`: one phase over the current period with the subscription's items and its own default
 * (the stand-in copies it into the phase, so the subscription is charged as before; Stripe's example answers
 * leave `default_settings.default_payment_method` null).
 */
function fromSubscription(store: StandInStore, subscription: StoredSubscription): StoredSubscriptionSchedule {
  const item = subscription.items.data[0];
  const start = item?.current_period_start ?? subscription.created;
  const end = item?.current_period_end ?? start + PERIOD_SECONDS;
  return {
    id: newId('sub_sched'),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: null, type: 'classic' },
    canceled_at: null,
    completed_at: null,
    created: store.timeOf(subscription.customer),
    current_phase: { start_date: start, end_date: end },
    customer: subscription.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: 'release',
    livemode: subscription.livemode,
    metadata: {},
    pause_schedules: [],
    phases: [
      phase({
        currency: subscription.currency,
        default_payment_method: subscription.default_payment_method,
        end_date: end,
        items: phaseItemsOf(subscription),
        metadata: {},
        start_date: start,
      }),
    ],
    released_at: null,
    released_subscription: null,
    status: 'active',
    subscription: subscription.id,
    test_clock: subscription.test_clock,
  };
}

function itemsFromParams(
  value: FormValue | undefined,
  path: string,
): Stripe.SubscriptionSchedule.Phase.Item[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest('Each phase needs at least one item.', { param: `${path}[items]` });
  }
  return value.map((entry, index) => {
    if (typeof entry !== 'object' || Array.isArray(entry)) {
      throw invalidRequest('Invalid items', { param: `${path}[items]` });
    }
    const price = requiredString(entry, 'price', `${path}[items][${index}]`);
    return {
      billing_thresholds: null,
      discounts: [],
      metadata: applyMetadata({}, entry.metadata),
      plan: price,
      price,
      quantity: optionalInteger(entry, 'quantity') ?? 1,
      tax_rates: [],
    };
  });
}

/** A timestamp parameter; `now` is the schedule's time. */
function timeParam(params: FormObject, key: string, now: number): number | undefined {
  const value = optionalString(params, key);
  if (value === undefined) return undefined;
  return value === 'now' ? now : Number.parseInt(value, 10);
}

/**
 * The phases an update names replace the current and future ones; phases already over stay ("past phases can
 * be omitted"). The current phase keeps its start ("end_date of one phase will always equal the start_date of
 * the next phase"); a phase without an end lasts one of the stand-in's billing periods.
 */
function replacePhases(
  store: StandInStore,
  schedule: StoredSubscriptionSchedule,
  value: FormValue | undefined,
  now: number,
): void {
  if (!Array.isArray(value)) return;
  const customer = store.requireLiveCustomer(schedule.customer, 'customer');
  const past = schedule.phases.filter((p) => p.end_date <= now);
  const current = schedule.phases.find((p) => p.start_date <= now && now < p.end_date);
  let start = current?.start_date ?? past.at(-1)?.end_date ?? now;
  const replaced = value.map((entry, index) => {
    const path = `phases[${index}]`;
    if (typeof entry !== 'object' || Array.isArray(entry))
      throw invalidRequest('Invalid phases', { param: 'phases' });
    const phaseStart = timeParam(entry, 'start_date', now) ?? start;
    if (phaseStart !== start) {
      throw invalidRequest(
        `The phase starting at ${phaseStart} must start when the phase before it ends (${start}).`,
        { param: `${path}[start_date]` },
      );
    }
    const end = timeParam(entry, 'end_date', now) ?? phaseStart + PERIOD_SECONDS;
    if (end <= phaseStart) {
      throw invalidRequest('A phase must end after it starts.', { param: `${path}[end_date]` });
    }
    const defaultPaymentMethod = optionalString(entry, 'default_payment_method') ?? null;
    if (defaultPaymentMethod !== null) {
      requireAttachedTo(store, defaultPaymentMethod, customer, `${path}[default_payment_method]`);
    }
    start = end;
    return phase({
      currency: optionalString(entry, 'currency') ?? schedule.phases[0]?.currency ?? 'usd',
      default_payment_method: defaultPaymentMethod,
      end_date: end,
      items: itemsFromParams(entry.items, path),
      metadata: applyMetadata({}, entry.metadata),
      start_date: phaseStart,
    });
  });
  schedule.phases = [...past, ...replaced];
  const entered = schedule.phases.find((p) => p.start_date <= now && now < p.end_date);
  schedule.current_phase =
    entered === undefined ? null : { start_date: entered.start_date, end_date: entered.end_date };
}

function applyDefaultSettings(
  store: StandInStore,
  schedule: StoredSubscriptionSchedule,
  value: FormValue | undefined,
): void {
  if (typeof value !== 'object' || Array.isArray(value)) return;
  const method = optionalString(value, 'default_payment_method');
  if (method === undefined) return;
  if (method !== '') {
    const customer = store.requireLiveCustomer(schedule.customer, 'customer');
    requireAttachedTo(store, method, customer, 'default_settings[default_payment_method]');
  }
  schedule.default_settings.default_payment_method = method === '' ? null : method;
}

function requireUpdatable(schedule: StoredSubscriptionSchedule): void {
  if (schedule.status === 'active' || schedule.status === 'not_started') return;
  throw invalidRequest(
    `You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in \`not_started\` or \`active\`.`,
  );
}

/** Release: the subscription stays as it is, no longer managed by the schedule. */
export function releaseSchedule(store: StandInStore, schedule: StoredSubscriptionSchedule, at: number): void {
  const subscription =
    schedule.subscription === null ? undefined : store.subscriptions.get(schedule.subscription);
  if (subscription !== undefined) subscription.schedule = null;
  schedule.status = 'released';
  schedule.released_at = at;
  schedule.released_subscription = schedule.subscription;
  schedule.subscription = null;
  schedule.current_phase = null;
}

export const subscriptionScheduleRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/subscription_schedules',
    contract: { params: 'SubscriptionScheduleCreateParams', response: 'SubscriptionSchedule' },
    handle({ params, store }) {
      const fromId = optionalString(params, 'from_subscription');
      if (fromId === undefined) {
        throw invalidRequest(
          'The stand-in models schedules made with `from_subscription` only (a schedule from `customer` and `phases` is not modelled).',
          { param: 'from_subscription' },
        );
      }
      const other = Object.keys(params).find(
        (key) => !['from_subscription', 'expand', 'metadata'].includes(key),
      );
      if (other !== undefined) {
        throw invalidRequest(`You cannot set \`${other}\` if \`from_subscription\` is set.`, {
          param: other,
        });
      }
      const subscription = store.subscriptions.get(fromId);
      if (subscription === undefined) throw resourceMissing('subscription', fromId, 'from_subscription', 400);
      if (subscription.schedule !== null) {
        throw invalidRequest(`The subscription \`${fromId}\` is already attached to a schedule.`, {
          param: 'from_subscription',
        });
      }
      if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
        throw invalidRequest(`You cannot create a schedule from a \`${subscription.status}\` subscription.`, {
          param: 'from_subscription',
        });
      }
      const schedule = fromSubscription(store, subscription);
      schedule.metadata = applyMetadata({}, params.metadata);
      store.subscriptionSchedules.set(schedule.id, schedule);
      subscription.schedule = schedule.id;
      return { body: schedule, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/subscription_schedules/:id',
    contract: { params: 'SubscriptionScheduleRetrieveParams', response: 'SubscriptionSchedule' },
    handle({ pathParams, store }) {
      return { body: scheduleFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/subscription_schedules/:id',
    contract: { params: 'SubscriptionScheduleUpdateParams', response: 'SubscriptionSchedule' },
    handle({ params, pathParams, store }) {
      const schedule = scheduleFromPath(store, pathParams.id);
      requireUpdatable(schedule);
      const before = JSON.stringify(schedule);
      const now = store.timeOf(schedule.customer);
      replacePhases(store, schedule, params.phases, now);
      applyDefaultSettings(store, schedule, optionalObject(params, 'default_settings'));
      const endBehavior = optionalString(params, 'end_behavior');
      if (endBehavior !== undefined) schedule.end_behavior = endBehavior;
      schedule.metadata = applyMetadata(schedule.metadata ?? {}, params.metadata);
      const changed = before !== JSON.stringify(schedule);
      return { body: schedule, effect: changed, changed };
    },
  },
  {
    method: 'POST',
    path: '/v1/subscription_schedules/:id/release',
    contract: { params: 'SubscriptionScheduleReleaseParams', response: 'SubscriptionSchedule' },
    handle({ pathParams, store }) {
      const schedule = scheduleFromPath(store, pathParams.id);
      requireUpdatable(schedule);
      releaseSchedule(store, schedule, store.timeOf(schedule.customer));
      return { body: schedule, effect: true };
    },
  },
];
