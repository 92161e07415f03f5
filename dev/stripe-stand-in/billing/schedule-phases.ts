import type Stripe from 'stripe';
import { releaseSchedule, type StoredSubscriptionSchedule } from '../resources/subscription-schedules';
import type { StandInStore } from '../store';
import type { StoredSubscription } from '../types';

/**
 * A schedule's phase transition (https://docs.stripe.com/billing/subscriptions/subscription-schedules): when the
 * current phase ends, the next one is entered and its settings are applied to the subscription — its
 * `default_payment_method`, or else the schedule's `default_settings.default_payment_method` ("If not set,
 * invoices will use the default payment method in the customer's invoice settings", SubscriptionSchedules.d.ts),
 * and its metadata ("Metadata on a schedule's phase will update the underlying subscription's metadata when the
 * phase is entered"). After the last phase, `end_behavior`: `release` leaves the subscription as it is, `cancel`
 * cancels it. Where neither the phase nor the defaults name a method the stand-in leaves the subscription's own.
 * Runs before the renewal due at the same moment, so the renewal's invoice is charged on the new phase's method.
 */
export function phaseTransitionAt(schedule: StoredSubscriptionSchedule): number | undefined {
  if (schedule.status !== 'active' || schedule.current_phase === null) return undefined;
  return schedule.current_phase.end_date;
}

function idOf(value: string | Stripe.PaymentMethod | null): string | null {
  return value === null || typeof value === 'string' ? value : value.id;
}

export function enterNextPhase(
  store: StandInStore,
  schedule: StoredSubscriptionSchedule,
  at: number,
  cancel: (subscription: StoredSubscription, at: number) => void,
): void {
  const subscription =
    schedule.subscription === null ? undefined : store.subscriptions.get(schedule.subscription);
  const next = schedule.phases.find((p) => p.start_date >= at);
  if (next === undefined || subscription === undefined) {
    if (schedule.end_behavior === 'cancel' && subscription !== undefined) {
      schedule.status = 'completed';
      schedule.completed_at = at;
      schedule.current_phase = null;
      subscription.schedule = null;
      cancel(subscription, at);
      return;
    }
    releaseSchedule(store, schedule, at);
    return;
  }
  schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
  const previous: Record<string, unknown> = {};
  const method = idOf(next.default_payment_method) ?? idOf(schedule.default_settings.default_payment_method);
  if (method !== null && method !== subscription.default_payment_method) {
    previous.default_payment_method = subscription.default_payment_method;
    subscription.default_payment_method = method;
  }
  if (next.metadata !== null && Object.keys(next.metadata).length > 0) {
    previous.metadata = { ...subscription.metadata };
    subscription.metadata = { ...subscription.metadata, ...next.metadata };
  }
  if (Object.keys(previous).length > 0) {
    store.recordEvent('customer.subscription.updated', subscription, subscription.livemode, at, previous);
  }
}
