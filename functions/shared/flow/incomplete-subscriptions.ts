import { StripeRequestFailed } from '../errors';
import type { InvoicePayment, StripeGateway } from '../ports';

/** The first invoice of an `incomplete` subscription, paid while making the method its default. */
export type FirstInvoicePayments = InvoicePayment[];

/**
 * Stripe refuses a default for an `incomplete` subscription ("can only have metadata and default_source
 * updated", Subscriptions.d.ts) until its first invoice is paid — usually the reason the customer is entering a
 * card. So a refusal is answered by paying that invoice with the new method, whatever `payOpenInvoices` says
 * (it governs past-due invoices); once paid, the subscription is `active` and takes the default. A declined
 * payment leaves the subscription `incomplete` and the step failed with the decline.
 */
export async function setSubscriptionDefault(
  deps: { stripe: StripeGateway },
  subscriptionId: string,
  paymentMethodId: string,
  firstInvoice: FirstInvoicePayments,
): Promise<void> {
  try {
    await deps.stripe.setSubscriptionDefaultPaymentMethod(subscriptionId, paymentMethodId);
    return;
  } catch (error) {
    if (!(error instanceof StripeRequestFailed) || error.kind !== 'invalid_request') throw error;
    const payment = await deps.stripe.payIncompleteSubscription(subscriptionId, paymentMethodId);
    if (payment === null) throw error;
    firstInvoice.push(payment);
    if (payment.status !== 'paid') {
      throw new StripeRequestFailed(
        'invalid_request',
        `The subscription's first invoice ${payment.invoiceId} was not paid (${payment.failureCode ?? payment.status}); it stays incomplete.`,
        payment.failureCode ?? 'first_invoice_unpaid',
      );
    }
  }
  await deps.stripe.setSubscriptionDefaultPaymentMethod(subscriptionId, paymentMethodId);
}
