import type { Expiry, Payer } from '../../recovery-ports';

/**
 * Which method Stripe will charge for a subscription's invoice: the first present of the subscription's
 * `default_payment_method`, its `default_source`, the customer's `invoice_settings.default_payment_method`,
 * the customer's `default_source` (Subscriptions.d.ts, `default_payment_method` and `default_source`).
 * The adapter lists them in that order; this picks the first.
 */
export function methodThatPays(payers: readonly Payer[]): Payer | undefined {
  const order: Payer['source'][] = [
    'subscription.default_payment_method',
    'subscription.default_source',
    'customer.invoice_settings.default_payment_method',
    'customer.default_source',
  ];
  return [...payers].sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source))[0];
}

/**
 * A card is valid through the last day of its expiry month (https://docs.stripe.com/api/cards/object,
 * `exp_month`/`exp_year`), so it can no longer be charged from the first second of the next month (UTC, as
 * Stripe stores times): true when that moment is at or before the charge.
 */
export function expiresBefore(expiry: Expiry, chargeAtSeconds: number): boolean {
  const firstInvalid = Date.UTC(expiry.expYear, expiry.expMonth, 1) / 1000;
  return firstInvalid <= chargeAtSeconds;
}
