/** Why a subscription cannot be moved to a method: what Stripe would refuse when the method pays its invoice. */
export type MethodMismatch = 'payment_method_type_not_allowed' | 'currency_not_supported';

/**
 * The currencies each bank debit can be charged in (https://docs.stripe.com/payments/payment-methods/overview,
 * each method's "Currencies"): SEPA Direct Debit only EUR, ACH (us_bank_account) only USD, Canadian
 * pre-authorized debit CAD and USD, Bacs only GBP, BECS only AUD. A type not listed here (cards, Link) is
 * charged in any currency the account presents, so it is never refused for its currency.
 */
const DEBIT_CURRENCIES: Readonly<Record<string, readonly string[]>> = {
  sepa_debit: ['eur'],
  us_bank_account: ['usd'],
  acss_debit: ['cad', 'usd'],
  bacs_debit: ['gbp'],
  au_becs_debit: ['aud'],
};

/** What the subscription's invoices may be paid with, as Stripe holds it on the subscription. */
export interface InvoiceTerms {
  currency: string;
  /** `payment_settings.payment_method_types`; null lets Stripe choose from what the invoice's method is. */
  paymentMethodTypes: readonly string[] | null;
}

/**
 * Whether a method of this type can pay the subscription's invoices. A subscription whose
 * `payment_settings.payment_method_types` leaves the type out cannot be paid with it ("The list of payment
 * method types … to provide to the invoice's PaymentIntent", Subscriptions.d.ts `PaymentSettings`), and a
 * bank debit cannot pay in a currency its network does not clear. An unknown type (not read) is not refused:
 * Stripe's answer then decides.
 */
export function methodMismatch(
  methodType: string | undefined,
  terms: InvoiceTerms,
): MethodMismatch | undefined {
  if (methodType === undefined || methodType === 'unknown') return undefined;
  if (terms.paymentMethodTypes && terms.paymentMethodTypes.length > 0) {
    if (!terms.paymentMethodTypes.includes(methodType)) return 'payment_method_type_not_allowed';
  }
  const currencies = DEBIT_CURRENCIES[methodType];
  if (currencies && !currencies.includes(terms.currency.toLowerCase())) return 'currency_not_supported';
  return undefined;
}

export function describeMismatch(reason: MethodMismatch, methodType: string, terms: InvoiceTerms): string {
  return reason === 'currency_not_supported'
    ? `a ${methodType} method cannot pay invoices in ${terms.currency}`
    : `its invoices may be paid only by ${(terms.paymentMethodTypes ?? []).join(', ')}`;
}
