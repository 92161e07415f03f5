import { cardDeclined, type StandInError } from '../errors';
import { newId, randomBase62 } from '../ids';
import { unmodelledInvoiceFields } from '../resources/invoice-fields';
import type { StandInStore } from '../store';
import type { InvoiceBillingReason, StoredInvoice, StoredSubscription } from '../types';

/**
 * A subscription's invoices as Stripe's Billing makes them (https://docs.stripe.com/billing/invoices/subscription):
 * a renewal invoice is created as a draft, finalized about an hour later, and then charged; a failed charge is
 * retried on the account's retry schedule (`next_payment_attempt`), and the subscription is `past_due` meanwhile.
 */

/** "Approximately 1 hour later, we attempt to charge that invoice" (https://docs.stripe.com/billing/subscriptions/trials). */
export const FINALIZE_AFTER_SECONDS = 60 * 60;

/** What a subscription bills per period: the stand-in's prices are all 20.00 per unit per month. */
export function periodAmount(subscription: StoredSubscription): number {
  return subscription.items.data.reduce((sum, item) => sum + item.price.unit_amount * item.quantity, 0);
}

export interface NewInvoice {
  billingReason: InvoiceBillingReason;
  amountDue: number;
  at: number;
  periodStart: number;
  periodEnd: number;
  /** Draft (finalized later), open (finalized now, not yet attempted) or a paid zero-amount invoice. */
  status: 'draft' | 'open' | 'paid';
}

/** Records a new invoice of `subscription` with the events Stripe sends for it. */
export function createSubscriptionInvoice(
  store: StandInStore,
  subscription: StoredSubscription,
  spec: NewInvoice,
): StoredInvoice {
  const id = spec.billingReason === 'upcoming' ? `upcoming_in_${randomBase62(24)}` : newId('in');
  const customer = store.getCustomer(subscription.customer);
  const invoice: StoredInvoice = {
    ...unmodelledInvoiceFields({
      id,
      created: spec.at,
      customerEmail: customer !== undefined && 'email' in customer ? customer.email : null,
      customerName: customer !== undefined && 'name' in customer ? customer.name : null,
    }),
    id,
    object: 'invoice',
    created: spec.at,
    livemode: subscription.livemode,
    metadata: {},
    attempt_count: 0,
    attempted: false,
    automatically_finalizes_at: spec.status === 'draft' ? spec.at + FINALIZE_AFTER_SECONDS : null,
    billing_reason: spec.billingReason,
    customer: subscription.customer,
    next_payment_attempt: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription: subscription.id },
      type: 'subscription_details',
    },
    period_end: spec.periodEnd,
    period_start: spec.periodStart,
    status: spec.status,
    test_clock: subscription.test_clock,
    currency: subscription.currency,
    amount_due: spec.amountDue,
    amount_paid: spec.status === 'paid' ? spec.amountDue : 0,
    amount_remaining: spec.status === 'paid' ? 0 : spec.amountDue,
    subtotal: spec.amountDue,
    total: spec.amountDue,
    status_transitions: {
      finalized_at: spec.status === 'draft' ? null : spec.at,
      marked_uncollectible_at: null,
      paid_at: spec.status === 'paid' ? spec.at : null,
      voided_at: null,
    },
    default_payment_method: null,
  };
  if (spec.billingReason === 'upcoming') return invoice;
  store.invoices.set(invoice.id, invoice);
  subscription.latest_invoice = invoice.id;
  store.recordEvent('invoice.created', invoice, invoice.livemode, spec.at);
  if (spec.status !== 'draft') store.recordEvent('invoice.finalized', invoice, invoice.livemode, spec.at);
  if (spec.status === 'paid') recordPaid(store, invoice, spec.at);
  return invoice;
}

export function finalizeInvoice(store: StandInStore, invoice: StoredInvoice, at: number): void {
  invoice.status = 'open';
  invoice.automatically_finalizes_at = null;
  invoice.status_transitions.finalized_at = at;
  store.recordEvent('invoice.finalized', invoice, invoice.livemode, at);
}

export function voidInvoice(store: StandInStore, invoice: StoredInvoice, at: number): void {
  invoice.status = 'void';
  invoice.automatically_finalizes_at = null;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = at;
  store.recordEvent('invoice.voided', invoice, invoice.livemode, at);
}

function recordPaid(store: StandInStore, invoice: StoredInvoice, at: number): void {
  store.recordEvent('invoice.paid', invoice, invoice.livemode, at);
  store.recordEvent('invoice.payment_succeeded', invoice, invoice.livemode, at);
}

/**
 * The method Stripe charges for a subscription's invoice, in the order Subscriptions.d.ts gives for
 * `default_payment_method`: the subscription's `default_payment_method`, its `default_source`, the customer's
 * `invoice_settings.default_payment_method`, the customer's `default_source`.
 */
export function methodChargedFor(
  store: StandInStore,
  subscription: StoredSubscription | undefined,
  customerId = subscription?.customer,
): string | undefined {
  const customer = customerId === undefined ? undefined : store.customers.get(customerId);
  return (
    subscription?.default_payment_method ??
    subscription?.default_source ??
    customer?.invoice_settings.default_payment_method ??
    customer?.default_source ??
    undefined
  );
}

export type PaymentOutcome =
  | { kind: 'paid' }
  | { kind: 'processing' }
  | { kind: 'failed'; error: StandInError | undefined };

/**
 * One payment attempt on an open invoice with `paymentMethodId` (or the method Stripe would charge). A card
 * pays at once; `4000 0000 0000 0341` is declined (https://docs.stripe.com/testing#declined-payments); a bank
 * debit is only initiated, so the invoice stays open (https://docs.stripe.com/invoicing/payment-methods).
 */
export function attemptInvoicePayment(
  store: StandInStore,
  invoice: StoredInvoice,
  at: number,
  paymentMethodId: string | undefined = methodChargedFor(
    store,
    subscriptionOfInvoice(store, invoice),
    invoice.customer,
  ),
): PaymentOutcome {
  invoice.attempt_count += 1;
  invoice.attempted = true;
  const method = paymentMethodId === undefined ? undefined : store.paymentMethods.get(paymentMethodId);
  if (paymentMethodId !== undefined) invoice.default_payment_method = paymentMethodId;
  if (method !== undefined && method.type !== 'card') {
    invoice.next_payment_attempt = null;
    store.processingInvoices.add(invoice.id);
    store.recordEvent('invoice.updated', invoice, invoice.livemode, at);
    return { kind: 'processing' };
  }
  if (paymentMethodId === undefined || store.failsWhenCharged.has(paymentMethodId)) {
    return { kind: 'failed', error: paymentMethodId === undefined ? undefined : cardDeclined() };
  }
  markInvoicePaid(store, invoice, at);
  return { kind: 'paid' };
}

export function subscriptionOfInvoice(
  store: StandInStore,
  invoice: StoredInvoice,
): StoredSubscription | undefined {
  const id = invoice.parent.subscription_details?.subscription;
  return id === undefined ? undefined : store.subscriptions.get(id);
}

export function markInvoicePaid(store: StandInStore, invoice: StoredInvoice, at: number): void {
  store.processingInvoices.delete(invoice.id);
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  const subscription = subscriptionOfInvoice(store, invoice);
  recordPaid(store, invoice, at);
  // Paying the first invoice of an `incomplete` subscription, or the overdue one of a `past_due` or `unpaid`
  // one, makes it `active` (Subscription.status in Subscriptions.d.ts).
  if (
    subscription !== undefined &&
    ['incomplete', 'past_due', 'unpaid'].includes(subscription.status) &&
    !hasOtherOpenInvoice(store, subscription.id, invoice.id)
  ) {
    setSubscriptionStatus(store, subscription, 'active', at);
  }
}

function hasOtherOpenInvoice(store: StandInStore, subscriptionId: string, exceptId: string): boolean {
  for (const invoice of store.invoices.values()) {
    if (invoice.id === exceptId || invoice.status !== 'open') continue;
    if (invoice.parent.subscription_details?.subscription === subscriptionId) return true;
  }
  return false;
}

/** Changes a subscription's status with `customer.subscription.updated` carrying `previous_attributes`. */
export function setSubscriptionStatus(
  store: StandInStore,
  subscription: StoredSubscription,
  status: StoredSubscription['status'],
  at: number,
): void {
  if (subscription.status === status) return;
  const previous = subscription.status;
  subscription.status = status;
  store.recordEvent('customer.subscription.updated', subscription, subscription.livemode, at, {
    status: previous,
  });
}
