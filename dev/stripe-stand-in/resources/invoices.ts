import { cardDeclined, invalidRequest, resourceMissing } from '../errors';
import { newId, nowSeconds } from '../ids';
import { optionalString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredInvoice } from '../types';
import { unmodelledInvoiceFields } from './invoice-fields';

/**
 * Just enough of Invoices for a past-due subscription: its open latest invoice can be retrieved and paid
 * with a payment method attached to the customer, which makes the subscription active again.
 */
export function makeSubscriptionPastDue(
  store: StandInStore,
  subscriptionId: string,
  amountDue = 2000,
): StoredInvoice {
  const subscription = store.subscriptions.get(subscriptionId);
  if (subscription === undefined) throw resourceMissing('subscription', subscriptionId, 'id');
  const id = newId('in');
  const created = nowSeconds();
  const customer = store.getCustomer(subscription.customer);
  const invoice: StoredInvoice = {
    ...unmodelledInvoiceFields({
      id,
      created,
      customerEmail: customer !== undefined && 'email' in customer ? customer.email : null,
      customerName: customer !== undefined && 'name' in customer ? customer.name : null,
    }),
    id,
    object: 'invoice',
    created,
    livemode: subscription.livemode,
    metadata: {},
    attempt_count: 1,
    attempted: true,
    customer: subscription.customer,
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription: subscription.id },
      type: 'subscription_details',
    },
    status: 'open',
    currency: subscription.currency,
    amount_due: amountDue,
    amount_paid: 0,
    amount_remaining: amountDue,
    subtotal: amountDue,
    total: amountDue,
    status_transitions: {
      finalized_at: created,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    default_payment_method: null,
  };
  store.invoices.set(invoice.id, invoice);
  subscription.status = 'past_due';
  subscription.latest_invoice = invoice.id;
  store.recordEvent('invoice.payment_failed', invoice, invoice.livemode);
  return invoice;
}

function invoiceFromPath(store: StandInStore, id: string | undefined): StoredInvoice {
  const invoice = store.invoices.get(id ?? '');
  if (invoice === undefined) throw resourceMissing('invoice', id ?? '', 'id');
  return invoice;
}

export const invoiceRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/invoices/:id',
    contract: { params: 'InvoiceRetrieveParams', response: 'Invoice' },
    handle({ pathParams, store }) {
      return { body: invoiceFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/pay',
    contract: { params: 'InvoicePayParams', response: 'Invoice' },
    handle({ pathParams, params, store }) {
      const invoice = invoiceFromPath(store, pathParams.id);
      if (invoice.status !== 'open') {
        throw invalidRequest('Invoice is already paid', { code: 'invoice_not_open' });
      }
      const paymentMethodId = optionalString(params, 'payment_method');
      if (paymentMethodId !== undefined) {
        const method = store.paymentMethods.get(paymentMethodId);
        if (method === undefined) throw resourceMissing('payment_method', paymentMethodId, 'payment_method');
        if (method.customer !== invoice.customer) {
          throw invalidRequest('The payment method must be attached to the invoice’s customer.', {
            param: 'payment_method',
          });
        }
      }
      const method = paymentMethodId === undefined ? undefined : store.paymentMethods.get(paymentMethodId);
      invoice.attempt_count += 1;
      invoice.attempted = true;
      invoice.default_payment_method = paymentMethodId ?? null;
      // A bank debit is only initiated: the invoice stays open until the bank settles the payment
      // (https://docs.stripe.com/invoicing/payment-methods, ACH/SEPA "processing"). Each pay call that is not
      // an idempotent replay is one more payment attempt.
      if (method !== undefined && method.type !== 'card') {
        store.recordEvent('invoice.updated', invoice, invoice.livemode);
        return { body: invoice, effect: true, changed: true };
      }
      // 4000 0000 0000 0341: saved fine, every charge declined (https://docs.stripe.com/testing#declined-payments).
      if (paymentMethodId !== undefined && store.failsWhenCharged.has(paymentMethodId)) {
        store.recordEvent('invoice.payment_failed', invoice, invoice.livemode);
        throw cardDeclined();
      }
      invoice.status = 'paid';
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.status_transitions.paid_at = nowSeconds();
      const subscriptionId = invoice.parent.subscription_details?.subscription;
      const subscription = subscriptionId ? store.subscriptions.get(subscriptionId) : undefined;
      if (subscription && subscription.status !== 'canceled') subscription.status = 'active';
      store.recordEvent('invoice.paid', invoice, invoice.livemode);
      return { body: invoice, effect: true, changed: true };
    },
  },
];
