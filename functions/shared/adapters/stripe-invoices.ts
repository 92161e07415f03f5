import Stripe from 'stripe';
import type { InvoicePayment } from '../ports';
import type { InvoiceSnapshot } from '../recovery-ports';
import { idOf, translateErrors } from './stripe-gateway';

/** The invoice reads and payments both the setup flow and the recovery flow make, on the official SDK. */
export function invoiceOperations(stripeClient: () => Promise<Stripe>) {
  const call = <T>(work: (stripe: Stripe) => Promise<T>) =>
    translateErrors(async () => work(await stripeClient()));
  return {
    listOpenInvoices: (subscriptionId: string) =>
      call(async (stripe) => {
        const open: InvoiceSnapshot[] = [];
        for await (const invoice of stripe.invoices.list({
          subscription: subscriptionId,
          status: 'open',
          limit: 100,
        })) {
          open.push(toInvoice(invoice));
        }
        return open.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
      }),

    payInvoice: (
      invoice: Pick<InvoiceSnapshot, 'id' | 'attemptCount'>,
      paymentMethodId: string,
      keyPrefix: string,
    ) => call((stripe) => payInvoiceWith(stripe, invoice, paymentMethodId, keyPrefix)),
  };
}

/**
 * One payment attempt on an open invoice. The key names the invoice's attempt count as read just before: a
 * redelivery after a lost answer reads the same count if the attempt never happened (and replays the saved
 * answer if it did, as long as the count is unchanged), while an attempt that did happen — Stripe saves every
 * executed answer under its key for 24 hours, a 500 included (https://docs.stripe.com/api/idempotent_requests)
 * — moved the count, so the next try is a new attempt, never the same 500 replayed. A bank debit still
 * processing refuses a second attempt (the invoice's PaymentIntent is `processing`), which is reported as
 * processing: nothing is debited twice.
 */
export async function payInvoiceWith(
  stripe: Stripe,
  invoice: Pick<InvoiceSnapshot, 'id' | 'attemptCount'>,
  paymentMethodId: string,
  keyPrefix: string,
): Promise<InvoicePayment> {
  try {
    const paid = await stripe.invoices.pay(
      invoice.id,
      { payment_method: paymentMethodId, off_session: true },
      { idempotencyKey: `${keyPrefix}:${invoice.id}:${invoice.attemptCount}` },
    );
    // The answer says what happened: `paid`, or still `open` while a bank debit is processing.
    return { invoiceId: invoice.id, status: paid.status === 'paid' ? 'paid' : 'processing' };
  } catch (error) {
    // A declined card, a bank that wants the customer (3-D Secure: `authentication_required`), or an invoice
    // paid or voided meanwhile, is the payment's outcome, not the setup's failure: the method stays the
    // default. Only a transient failure is thrown (and retried).
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'payment_intent_unexpected_state'
    )
      return { invoiceId: invoice.id, status: 'processing' };
    const declined = error instanceof Stripe.errors.StripeCardError;
    const refused =
      error instanceof Stripe.errors.StripeInvalidRequestError ||
      (error instanceof Stripe.errors.StripeIdempotencyError && error.statusCode === 400);
    if (!declined && !refused) throw error;
    const code = error instanceof Stripe.errors.StripeIdempotencyError ? 'idempotency_error' : error.code;
    const failureCode = (declined ? error.decline_code : undefined) ?? code ?? 'payment_failed';
    return {
      invoiceId: invoice.id,
      status: failureCode === 'authentication_required' ? 'action_required' : 'failed',
      failureCode,
    };
  }
}

export function toInvoice(invoice: Stripe.Invoice): InvoiceSnapshot {
  return {
    id: invoice.id ?? '',
    status: invoice.status,
    customerId: idOf(invoice.customer) ?? '',
    subscriptionId: idOf(invoice.parent?.subscription_details?.subscription ?? null),
    amountDue: invoice.amount_due,
    currency: invoice.currency,
    nextPaymentAttempt: invoice.next_payment_attempt ?? null,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    created: invoice.created,
    attemptCount: invoice.attempt_count,
  };
}
