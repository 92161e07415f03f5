/**
 * The account's Billing settings that decide when things happen as time passes (Dashboard → Billing →
 * Subscriptions and emails, and Revenue recovery → Retries). Stripe lets each account choose; these are the
 * stand-in's choices, settable per test with `standIn.configureBilling`.
 */
export interface BillingSettings {
  /**
   * Days before a renewal that `invoice.upcoming` is sent ("Upcoming renewal events": X days before a
   * subscription creates an invoice that is charged automatically; InvoiceUpcomingEvent in Events.d.ts).
   */
  upcomingRenewalDays: number;
  /** Days between a failed attempt and the next one; a custom retry schedule (revenue-recovery/smart-retries). */
  retryDays: readonly number[];
  /** What the subscription becomes when the last retry fails ("Subscription status" after all retries fail). */
  afterFinalRetry: 'cancel' | 'unpaid' | 'past_due';
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  upcomingRenewalDays: 7,
  retryDays: [3, 5, 7],
  afterFinalRetry: 'cancel',
};

/** customer.subscription.trial_will_end: "three days before a subscription's trial period is scheduled to end". */
export const TRIAL_WILL_END_SECONDS = 3 * 24 * 60 * 60;

/** "If the first invoice is not paid within 23 hours, the subscription transitions to incomplete_expired." */
export const INCOMPLETE_EXPIRES_SECONDS = 23 * 60 * 60;

export const DAY_SECONDS = 24 * 60 * 60;

/** The stand-in's prices renew every 30 days (its one interval, `month`). */
export const PERIOD_SECONDS = 30 * DAY_SECONDS;
