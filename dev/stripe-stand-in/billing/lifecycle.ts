import type { StandInStore } from '../store';
import type { StoredInvoice, StoredSubscription } from '../types';
import {
  type BillingSettings,
  DAY_SECONDS,
  INCOMPLETE_EXPIRES_SECONDS,
  PERIOD_SECONDS,
  TRIAL_WILL_END_SECONDS,
} from './billing-settings';
import { enterNextPhase, phaseTransitionAt } from './schedule-phases';
import {
  attemptInvoicePayment,
  createSubscriptionInvoice,
  finalizeInvoice,
  markInvoicePaid,
  methodChargedFor,
  type PaymentOutcome,
  periodAmount,
  setSubscriptionStatus,
  subscriptionOfInvoice,
  voidInvoice,
} from './subscription-invoices';

/**
 * What happens to subscriptions and invoices as time passes, in the order Stripe's Billing does it
 * (https://docs.stripe.com/billing/subscriptions/overview, https://docs.stripe.com/billing/testing/test-clocks):
 * `customer.subscription.trial_will_end` three days before a trial ends, `invoice.upcoming` some days before each
 * renewal, the renewal's draft invoice at the period's end, finalized and charged an hour later, a failed charge
 * retried on the retry schedule, an unpaid `incomplete` subscription expired after 23 hours. Every step runs at its
 * own time (events and objects carry it), earliest first, so advancing a clock a month at once gives the events
 * that a month of waiting would.
 */

interface Step {
  at: number;
  run(): void;
}

const periodEndOf = (subscription: StoredSubscription): number =>
  subscription.items.data[0]?.current_period_end ?? subscription.created + PERIOD_SECONDS;
const periodStartOf = (subscription: StoredSubscription): number =>
  subscription.items.data[0]?.current_period_start ?? subscription.created;

/** Runs every step due at or before `target` for the objects on `clock` (null: objects on no clock). */
export function runBillingUntil(
  store: StandInStore,
  clock: string | null,
  target: number,
  settings: BillingSettings,
  onStep?: (at: number) => void,
): void {
  // Each step changes what the next search finds; a bound keeps a modelling bug from hanging the server.
  for (let steps = 0; steps < 100_000; steps += 1) {
    const step = earliestStep(store, clock, target, settings);
    if (step === undefined) return;
    onStep?.(step.at);
    step.run();
  }
  throw new Error('Stripe stand-in: billing steps did not settle');
}

function earliestStep(
  store: StandInStore,
  clock: string | null,
  target: number,
  settings: BillingSettings,
): Step | undefined {
  let earliest: Step | undefined;
  const consider = (step: Step | undefined): void => {
    if (step !== undefined && step.at <= target && (earliest === undefined || step.at < earliest.at))
      earliest = step;
  };
  // Schedules first: a phase ending when a period ends is entered before that renewal (first found wins a tie).
  for (const schedule of store.subscriptionSchedules.values()) {
    if (schedule.test_clock !== clock) continue;
    const at = phaseTransitionAt(schedule);
    if (at === undefined) continue;
    consider({
      at,
      run: () =>
        enterNextPhase(store, schedule, at, (s, when) => cancel(store, s, when, 'cancellation_requested')),
    });
  }
  for (const subscription of store.subscriptions.values()) {
    if (subscription.test_clock !== clock) continue;
    for (const step of subscriptionSteps(store, subscription, settings)) consider(step);
  }
  for (const invoice of store.invoices.values()) {
    if (invoice.test_clock !== clock) continue;
    consider(invoiceStep(store, invoice, settings));
  }
  return earliest;
}

function once(store: StandInStore, marker: string, at: number, run: () => void): Step | undefined {
  if (store.billingMarkers.has(marker)) return undefined;
  return {
    at,
    run: () => {
      store.billingMarkers.add(marker);
      run();
    },
  };
}

function upcomingStep(
  store: StandInStore,
  subscription: StoredSubscription,
  renewsAt: number,
  periodStart: number,
  settings: BillingSettings,
): Step | undefined {
  const at = renewsAt - settings.upcomingRenewalDays * DAY_SECONDS;
  if (at <= periodStart) return undefined;
  return once(store, `${subscription.id}:upcoming:${renewsAt}`, at, () => {
    const preview = createSubscriptionInvoice(store, subscription, {
      billingReason: 'upcoming',
      amountDue: periodAmount(subscription),
      at,
      periodStart: renewsAt,
      periodEnd: renewsAt + PERIOD_SECONDS,
      status: 'draft',
    });
    preview.automatically_finalizes_at = null;
    store.recordEvent('invoice.upcoming', preview, preview.livemode, at);
  });
}

function subscriptionSteps(
  store: StandInStore,
  subscription: StoredSubscription,
  settings: BillingSettings,
): Array<Step | undefined> {
  const { status } = subscription;
  if (status === 'incomplete') {
    return [
      { at: subscription.created + INCOMPLETE_EXPIRES_SECONDS, run: () => expire(store, subscription) },
    ];
  }
  if (status === 'trialing' && subscription.trial_end !== null) {
    const trialEnd = subscription.trial_end;
    const trialStart = subscription.trial_start ?? subscription.created;
    return [
      once(
        store,
        `${subscription.id}:trial_will_end:${trialEnd}`,
        Math.max(trialStart, trialEnd - TRIAL_WILL_END_SECONDS),
        () =>
          store.recordEvent(
            'customer.subscription.trial_will_end',
            subscription,
            subscription.livemode,
            Math.max(trialStart, trialEnd - TRIAL_WILL_END_SECONDS),
          ),
      ),
      upcomingStep(store, subscription, trialEnd, trialStart, settings),
      { at: trialEnd, run: () => endTrial(store, subscription, trialEnd) },
    ];
  }
  if (status !== 'active' && status !== 'past_due' && status !== 'unpaid') return [];
  const periodEnd = periodEndOf(subscription);
  const resumesAt = subscription.pause_collection?.resumes_at ?? null;
  return [
    subscription.pause_collection === null
      ? upcomingStep(store, subscription, periodEnd, periodStartOf(subscription), settings)
      : undefined,
    resumesAt === null
      ? undefined
      : { at: resumesAt, run: () => resumeCollection(store, subscription, resumesAt) },
    {
      at: periodEnd,
      run: () =>
        subscription.cancel_at_period_end
          ? cancel(store, subscription, periodEnd, 'cancellation_requested')
          : renew(store, subscription, periodEnd, 'subscription_cycle'),
    },
  ];
}

function invoiceStep(
  store: StandInStore,
  invoice: StoredInvoice,
  settings: BillingSettings,
): Step | undefined {
  if (invoice.status === 'draft' && invoice.automatically_finalizes_at !== null) {
    const at = invoice.automatically_finalizes_at;
    return {
      at,
      run: () => {
        finalizeInvoice(store, invoice, at);
        if (invoice.amount_due === 0) markInvoicePaid(store, invoice, at);
        else settleAttempt(store, invoice, attemptInvoicePayment(store, invoice, at), at, settings);
      },
    };
  }
  if (invoice.status === 'open' && invoice.next_payment_attempt !== null) {
    const at = invoice.next_payment_attempt;
    return {
      at,
      run: () => settleAttempt(store, invoice, attemptInvoicePayment(store, invoice, at), at, settings),
    };
  }
  return undefined;
}

/**
 * After an automatic attempt: a failure schedules the next retry (`next_payment_attempt`) and sends
 * `invoice.payment_failed`; the subscription becomes `past_due`, and when no retry is left it becomes what the
 * account's settings say. The first invoice of an `incomplete` subscription is not retried: it expires.
 */
export function settleAttempt(
  store: StandInStore,
  invoice: StoredInvoice,
  outcome: PaymentOutcome,
  at: number,
  settings: BillingSettings,
): void {
  if (outcome.kind !== 'failed') return;
  const subscription = subscriptionOfInvoice(store, invoice);
  const retriesMade = invoice.attempt_count - 1;
  const nextDays = subscription?.status === 'incomplete' ? undefined : settings.retryDays[retriesMade];
  invoice.next_payment_attempt = nextDays === undefined ? null : at + nextDays * DAY_SECONDS;
  store.recordEvent('invoice.payment_failed', invoice, invoice.livemode, at);
  if (subscription === undefined || subscription.status === 'incomplete') return;
  if (subscription.status === 'active' || subscription.status === 'trialing') {
    setSubscriptionStatus(store, subscription, 'past_due', at);
  }
  if (invoice.next_payment_attempt !== null) return;
  if (settings.afterFinalRetry === 'cancel') cancel(store, subscription, at, 'payment_failed');
  else if (settings.afterFinalRetry === 'unpaid') setSubscriptionStatus(store, subscription, 'unpaid', at);
}

function expire(store: StandInStore, subscription: StoredSubscription): void {
  const at = subscription.created + INCOMPLETE_EXPIRES_SECONDS;
  const latest =
    subscription.latest_invoice === null ? undefined : store.invoices.get(subscription.latest_invoice);
  if (latest?.status === 'open') voidInvoice(store, latest, at);
  subscription.ended_at = at;
  setSubscriptionStatus(store, subscription, 'incomplete_expired', at);
}

function cancel(
  store: StandInStore,
  subscription: StoredSubscription,
  at: number,
  reason: 'cancellation_requested' | 'payment_failed',
): void {
  subscription.status = 'canceled';
  subscription.canceled_at = at;
  subscription.ended_at = at;
  subscription.cancellation_details.reason = reason;
  store.recordEvent('customer.subscription.deleted', subscription, subscription.livemode, at);
}

function resumeCollection(store: StandInStore, subscription: StoredSubscription, at: number): void {
  const previous = subscription.pause_collection;
  subscription.pause_collection = null;
  store.recordEvent('customer.subscription.updated', subscription, subscription.livemode, at, {
    pause_collection: previous,
  });
}

/**
 * A trial's end (https://docs.stripe.com/billing/subscriptions/trials): with a method to charge, or with
 * `missing_payment_method: create_invoice`, the subscription starts its first paid period and invoices it;
 * without one, `pause` pauses it (`customer.subscription.paused`) and `cancel` cancels it.
 */
function endTrial(store: StandInStore, subscription: StoredSubscription, at: number): void {
  const hasMethod = methodChargedFor(store, subscription) !== undefined;
  const behaviour = subscription.trial_settings.end_behavior.missing_payment_method;
  if (!hasMethod && behaviour === 'pause') {
    subscription.status = 'paused';
    store.recordEvent('customer.subscription.paused', subscription, subscription.livemode, at);
    return;
  }
  if (!hasMethod && behaviour === 'cancel') {
    cancel(store, subscription, at, 'cancellation_requested');
    return;
  }
  setSubscriptionStatus(store, subscription, 'active', at);
  renew(store, subscription, at, 'subscription_cycle');
}

/** A new billing period from `at`, and its invoice as `pause_collection` allows. */
function renew(
  store: StandInStore,
  subscription: StoredSubscription,
  at: number,
  billingReason: 'subscription_cycle',
): void {
  for (const item of subscription.items.data) {
    item.current_period_start = at;
    item.current_period_end = at + PERIOD_SECONDS;
  }
  const previousInvoice = subscription.latest_invoice;
  const pause = subscription.pause_collection?.behavior;
  const invoice = createSubscriptionInvoice(store, subscription, {
    billingReason,
    amountDue: periodAmount(subscription),
    at,
    periodStart: at,
    periodEnd: at + PERIOD_SECONDS,
    status: 'draft',
  });
  // pause_collection (https://docs.stripe.com/billing/subscriptions/pause-payment): `keep_as_draft` leaves
  // the invoice a draft, `void` voids it, `mark_uncollectible` finalizes it and marks it uncollectible.
  if (pause === 'keep_as_draft') invoice.automatically_finalizes_at = null;
  if (pause === 'void') voidInvoice(store, invoice, at);
  if (pause === 'mark_uncollectible') {
    finalizeInvoice(store, invoice, at);
    invoice.status = 'uncollectible';
    invoice.status_transitions.marked_uncollectible_at = at;
    store.recordEvent('invoice.marked_uncollectible', invoice, invoice.livemode, at);
  }
  store.recordEvent('customer.subscription.updated', subscription, subscription.livemode, at, {
    latest_invoice: previousInvoice,
  });
  if (invoice.amount_due === 0 && invoice.status === 'draft' && pause === undefined) {
    finalizeInvoice(store, invoice, at);
    markInvoicePaid(store, invoice, at);
  }
}
