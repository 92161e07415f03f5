import {
  attemptInvoicePayment,
  createSubscriptionInvoice,
  finalizeInvoice,
  methodChargedFor,
  setSubscriptionStatus,
  subscriptionOfInvoice,
} from '../billing/subscription-invoices';
import { cardDeclined, invalidRequest, resourceMissing } from '../errors';
import { paginate } from '../list';
import { optionalString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredInvoice } from '../types';

/**
 * A failed renewal without waiting for it: an open invoice whose first attempt failed and a `past_due`
 * subscription. (On a Test Clock, advancing past a renewal charged to `4000 0000 0000 0341` gets there the way
 * Stripe does.)
 */
export function makeSubscriptionPastDue(
  store: StandInStore,
  subscriptionId: string,
  amountDue = 2000,
  status: 'past_due' | 'unpaid' = 'past_due',
): StoredInvoice {
  const subscription = store.subscriptions.get(subscriptionId);
  if (subscription === undefined) throw resourceMissing('subscription', subscriptionId, 'id');
  const at = store.timeOf(subscription.customer);
  const invoice = createSubscriptionInvoice(store, subscription, {
    billingReason: 'subscription_cycle',
    amountDue,
    at,
    periodStart: at,
    periodEnd: at,
    status: 'open',
  });
  invoice.attempt_count = 1;
  invoice.attempted = true;
  setSubscriptionStatus(store, subscription, status, at);
  store.recordEvent('invoice.payment_failed', invoice, invoice.livemode, at);
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
    method: 'GET',
    path: '/v1/invoices',
    contract: { params: 'InvoiceListParams', response: 'InvoiceList' },
    handle({ params, store }) {
      const customer = optionalString(params, 'customer');
      const subscription = optionalString(params, 'subscription');
      const status = optionalString(params, 'status');
      const candidates = [...store.invoices.values()].filter(
        (invoice) =>
          (customer === undefined || invoice.customer === customer) &&
          (subscription === undefined ||
            invoice.parent.subscription_details?.subscription === subscription) &&
          (status === undefined || invoice.status === status),
      );
      return { body: paginate(candidates, params, '/v1/invoices', 'invoice'), effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/pay',
    contract: { params: 'InvoicePayParams', response: 'Invoice' },
    handle({ pathParams, params, store }) {
      const invoice = invoiceFromPath(store, pathParams.id);
      const at = store.timeOf(invoice.customer);
      if (invoice.status === 'draft') finalizeInvoice(store, invoice, at);
      if (invoice.status !== 'open') {
        throw invalidRequest(`Invoice is already ${invoice.status === 'void' ? 'voided' : invoice.status}`, {
          code: 'invoice_not_open',
        });
      }
      // A bank debit in flight: the invoice's PaymentIntent is `processing`, and a PaymentIntent in that
      // state cannot be confirmed again (https://docs.stripe.com/payments/paymentintents/lifecycle).
      if (store.processingInvoices.has(invoice.id)) {
        throw invalidRequest(
          'This invoice has a payment processing: it cannot be paid again until that payment succeeds or fails.',
          { code: 'payment_intent_unexpected_state' },
        );
      }
      const paymentMethodId =
        optionalString(params, 'payment_method') ??
        methodChargedFor(store, subscriptionOfInvoice(store, invoice), invoice.customer);
      if (paymentMethodId === undefined) {
        throw invalidRequest(
          'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
        );
      }
      const method = store.paymentMethods.get(paymentMethodId);
      if (method === undefined) throw resourceMissing('payment_method', paymentMethodId, 'payment_method');
      if (method.customer !== invoice.customer) {
        throw invalidRequest('The payment method must be attached to the invoice’s customer.', {
          param: 'payment_method',
        });
      }
      const outcome = attemptInvoicePayment(store, invoice, at, paymentMethodId);
      if (outcome.kind === 'failed') {
        // A manual attempt is one more attempt; it does not move the automatic retry schedule.
        store.recordEvent('invoice.payment_failed', invoice, invoice.livemode, at);
        throw outcome.error ?? cardDeclined();
      }
      return { body: invoice, effect: true, changed: true };
    },
  },
];
