import type Stripe from 'stripe';
import type { Expiry, Payer, RecoveryStripe } from '../recovery-ports';
import { idOf, translateErrors } from './stripe-gateway';
import { invoiceOperations, toInvoice } from './stripe-invoices';

/** The recovery flow's Stripe reads and writes on the official SDK; errors leave as StripeRequestFailed. */
export function createStripeRecovery(stripeClient: () => Promise<Stripe>): RecoveryStripe {
  const call = <T>(work: (stripe: Stripe) => Promise<T>) =>
    translateErrors(async () => work(await stripeClient()));
  return {
    retrieveEvent: (eventId) =>
      call(async (stripe) => {
        const event = await stripe.events.retrieve(eventId);
        return {
          id: event.id,
          type: event.type,
          created: event.created,
          livemode: event.livemode,
          object: event.data.object as unknown as Record<string, unknown>,
          previousAttributes: (event.data.previous_attributes ?? {}) as Record<string, unknown>,
        };
      }),

    retrieveInvoice: (invoiceId) =>
      call(async (stripe) => toInvoice(await stripe.invoices.retrieve(invoiceId))),

    retrieveSubscriptionPayers: (subscriptionId) =>
      call(async (stripe) => {
        // One request for everything Stripe's charge order consults (Subscriptions.d.ts, `default_payment_method`:
        // "takes precedence over default_source. If neither are set, invoices will use the customer's
        // invoice_settings.default_payment_method or default_source").
        const subscription = await stripe.subscriptions.retrieve(subscriptionId, {
          expand: [
            'default_payment_method',
            'default_source',
            'customer',
            'customer.invoice_settings.default_payment_method',
            'customer.default_source',
          ],
        });
        const customer = subscription.customer;
        const customerDeleted =
          typeof customer !== 'string' && 'deleted' in customer && customer.deleted === true;
        return {
          id: subscription.id,
          customerId: idOf(customer) ?? '',
          status: subscription.status,
          trialEnd: subscription.trial_end ?? null,
          customerDeleted,
          payers: [
            payerOf(subscription.default_payment_method, 'subscription.default_payment_method'),
            payerOf(subscription.default_source, 'subscription.default_source'),
            ...(typeof customer === 'string' || customerDeleted
              ? []
              : customerPayers(customer as Stripe.Customer)),
          ].filter((payer): payer is Payer => payer !== undefined),
        };
      }),

    retrieveCustomerPayers: (customerId) =>
      call(async (stripe) => {
        const customer = await stripe.customers.retrieve(customerId, {
          expand: ['invoice_settings.default_payment_method', 'default_source'],
        });
        if (customer.deleted) return { deleted: true, payers: [] };
        return {
          deleted: false,
          payers: customerPayers(customer).filter((p): p is Payer => p !== undefined),
        };
      }),

    retrieveMandate: (mandateId) =>
      call(async (stripe) => {
        const mandate = await stripe.mandates.retrieve(mandateId);
        return {
          id: mandate.id,
          status: mandate.status,
          paymentMethodId: idOf(mandate.payment_method) ?? '',
        };
      }),

    retrievePaymentMethodOwner: (paymentMethodId) =>
      call(async (stripe) => {
        const method = await stripe.paymentMethods.retrieve(paymentMethodId);
        return {
          id: method.id,
          customerId: idOf(method.customer),
          ...(method.card
            ? { expiry: { expMonth: method.card.exp_month, expYear: method.card.exp_year } }
            : {}),
        };
      }),

    ...invoiceOperations(stripeClient),
  };
}

function customerPayers(customer: Stripe.Customer): (Payer | undefined)[] {
  return [
    payerOf(
      customer.invoice_settings?.default_payment_method ?? null,
      'customer.invoice_settings.default_payment_method',
    ),
    payerOf(customer.default_source ?? null, 'customer.default_source'),
  ];
}

type Expandable = string | { id: string; object?: string } | null | undefined;

/** A card PaymentMethod, or a legacy Card source, has an expiry; other methods and sources do not. */
function payerOf(value: Expandable, source: Payer['source']): Payer | undefined {
  if (!value) return undefined;
  if (typeof value === 'string') return { id: value, source };
  return { id: value.id, source, ...expiryOf(value) };
}

function expiryOf(value: object): { expiry?: Expiry } {
  const card = (value as { card?: { exp_month?: number; exp_year?: number } }).card;
  const legacy =
    (value as { object?: string; exp_month?: number; exp_year?: number }).object === 'card'
      ? value
      : undefined;
  const { exp_month, exp_year } = (card ?? legacy ?? {}) as { exp_month?: number; exp_year?: number };
  return exp_month && exp_year ? { expiry: { expMonth: exp_month, expYear: exp_year } } : {};
}
