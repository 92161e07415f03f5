import type { CustomerSubscriptions, InvoicePayment, StepResult, StripeGateway } from '../ports';
import type { InvoiceSnapshot } from '../recovery-ports';
import { paysOnItsOwn } from './removal-check';

export type InvoicePaying = Pick<StripeGateway, 'listOpenInvoices' | 'payInvoice'>;

/** Which open invoices of a subscription to pay: all of them, or those up to (and including) one invoice. */
export interface OwedSubscription {
  subscriptionId: string;
  /** Only the invoices created no later than this one (an update link made for a failed invoice). */
  upToInvoiceId?: string;
}

/**
 * Pays what the subscriptions owe with the setup's method: each subscription's open invoices oldest first
 * (Stripe retries each open invoice on its own and keeps a subscription `past_due` until all are paid,
 * https://docs.stripe.com/billing/subscriptions/overview#failed-payments). Each payment is keyed by the setup
 * and the invoice (and its attempt count, stripe-invoices.ts), so a redelivered setup, or the past-due option
 * and an update link of the same setup, pay an invoice at most once; a paid invoice is no longer open and is
 * not asked again. The first payment that does not go through stops the rest, across subscriptions: the same
 * method would be declined again, and each further attempt is one more decline on the customer's card.
 */
export async function payOwedInvoices(
  stripe: InvoicePaying,
  owed: readonly OwedSubscription[],
  paymentMethodId: string,
  setupId: string,
  alreadyPaid: readonly InvoicePayment[] = [],
): Promise<InvoicePayment[]> {
  const payments: InvoicePayment[] = [];
  if (alreadyPaid.some((p) => !goneThrough(p))) return payments;
  const settled = new Set(alreadyPaid.filter(goneThrough).map((p) => p.invoiceId));
  for (const { subscriptionId, upToInvoiceId } of owed) {
    for (const invoice of upTo(await stripe.listOpenInvoices(subscriptionId), upToInvoiceId)) {
      if (settled.has(invoice.id)) continue;
      const paid = await stripe.payInvoice(invoice, paymentMethodId, `setup-invoice-payment:${setupId}`);
      payments.push({ ...paid, subscriptionId });
      if (!goneThrough(paid)) return payments;
    }
  }
  return payments;
}

/** Paid, or a bank debit on its way: anything else (declined, needs the customer) stops further payments. */
function goneThrough(payment: InvoicePayment): boolean {
  return payment.status === 'paid' || payment.status === 'processing';
}

function upTo(open: InvoiceSnapshot[], invoiceId: string | undefined): InvoiceSnapshot[] {
  if (invoiceId === undefined) return open;
  const last = open.find((invoice) => invoice.id === invoiceId);
  return last ? open.filter((invoice) => invoice.created <= last.created) : [];
}

/** Stripe keeps trying to collect these (Subscriptions.d.ts `Status`): their open invoices are overdue. */
const OWING_STATUSES: readonly string[] = ['past_due', 'unpaid'];

const isSet = (result: StepResult | undefined) => result === 'applied' || result === 'already_applied';

/** Which defaults the setup left on its method, to find the subscriptions that now charge it. */
export interface SettledDefaults {
  /** The subscription the setup named, if any. */
  subscriptionId?: string;
  customerDefault: StepResult;
  subscriptionDefault: StepResult | undefined;
  /** The customer's default was kept as it was (a removal of a method that was not the default). */
  customerKept: boolean;
  subscriptionsMoved: readonly string[];
}

/**
 * The `past_due` and `unpaid` subscriptions that now charge the setup's method, named one first: the named
 * subscription once its default is the method, those moved along with the customer's default, and those
 * that inherit the customer's default (neither a `default_payment_method` nor a `default_source` of their
 * own, which Stripe charges first) once it is the method — Stripe
 * charges their next attempt to it anyway (Subscriptions.d.ts `default_payment_method`), so the customer's
 * new method settles them now instead of at the next retry.
 */
export async function subscriptionsOwing(
  stripe: Pick<StripeGateway, 'retrieveSubscription'>,
  listing: CustomerSubscriptions | undefined,
  settled: SettledDefaults,
): Promise<OwedSubscription[]> {
  const statusOf = new Map(listing?.subscriptions.map((s) => [s.id, s.status]));
  const ids: string[] = [];
  const named = settled.subscriptionId;
  if (named && isSet(settled.subscriptionDefault)) {
    const status = statusOf.get(named) ?? (await stripe.retrieveSubscription(named)).status;
    if (OWING_STATUSES.includes(status)) ids.push(named);
  }
  const inheriting =
    isSet(settled.customerDefault) && !settled.customerKept
      ? (listing?.subscriptions ?? []).filter((s) => !paysOnItsOwn(s)).map((s) => s.id)
      : [];
  const others = [...new Set([...settled.subscriptionsMoved, ...inheriting])]
    .filter((id) => id !== named && OWING_STATUSES.includes(statusOf.get(id) ?? ''))
    .sort();
  return [...ids, ...others].map((subscriptionId) => ({ subscriptionId }));
}
