import Stripe from 'stripe';
import type { SavedPaymentMethod, StripeGateway, SubscriptionDefault } from '../ports';
import { cardDetailsOf, idOf, type StripeGatewayOptions, translateErrors } from './stripe-gateway';
import { methodsNamedBy } from './stripe-schedules';

function scheduledOf(
  subscription: Stripe.Subscription,
): Pick<SubscriptionDefault, 'scheduledPaymentMethodIds'> {
  const schedule = subscription.schedule;
  if (schedule === null || typeof schedule === 'string') return {};
  return { scheduledPaymentMethodIds: methodsNamedBy(schedule) };
}

type PaymentMethodOperations = Pick<
  StripeGateway,
  | 'listSubscriptionDefaults'
  | 'listCustomerPaymentMethods'
  | 'retrieveCustomerPaymentMethod'
  | 'detachPaymentMethod'
>;

/** The saved-method operations (see, switch, remove) on the official SDK. */
export function paymentMethodOperations(
  stripeClient: () => Promise<Stripe>,
  options: StripeGatewayOptions = {},
): PaymentMethodOperations {
  const maxPages = options.maxSubscriptionPages ?? Number.POSITIVE_INFINITY;
  return {
    async listSubscriptionDefaults(customerId) {
      const subscriptions: SubscriptionDefault[] = [];
      let customerDefault: string | null | undefined;
      let customerDefaultSource: string | null | undefined;
      let startingAfter: string | undefined;
      for (let pages = 1; ; pages++) {
        const page = await translateErrors(async () => {
          const stripe = await stripeClient();
          // Without `status` Stripe lists every subscription that is not canceled (Subscriptions.d.ts
          // `list`). The customer is expanded on the first page only: its invoice default, in the same call.
          return stripe.subscriptions.list({
            customer: customerId,
            limit: 100,
            // Each subscription's schedule too: the methods its phases to come will charge.
            ...(startingAfter
              ? { starting_after: startingAfter, expand: ['data.schedule'] }
              : { expand: ['data.customer', 'data.schedule'] }),
          });
        });
        for (const subscription of page.data) {
          subscriptions.push({
            id: subscription.id,
            status: subscription.status,
            defaultPaymentMethodId: idOf(subscription.default_payment_method),
            ...scheduledOf(subscription),
            defaultSourceId: idOf(subscription.default_source),
            currency: subscription.currency,
            paymentMethodTypes: subscription.payment_settings?.payment_method_types ?? null,
          });
          const customer = subscription.customer;
          if (customerDefault === undefined && typeof customer === 'object' && !customer.deleted) {
            customerDefault = idOf(customer.invoice_settings?.default_payment_method);
            customerDefaultSource = idOf(customer.default_source);
          }
        }
        const last = page.data.at(-1);
        const defaults = { customerDefault, customerDefaultSource };
        if (!page.has_more || !last) return { subscriptions, ...defaults };
        if (pages >= maxPages) return { subscriptions, ...defaults, complete: false };
        startingAfter = last.id;
      }
    },

    listCustomerPaymentMethods: (customerId, page) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        const list = await stripe.customers.listPaymentMethods(customerId, {
          limit: page.limit,
          ...(page.startingAfter ? { starting_after: page.startingAfter } : {}),
        });
        return { data: list.data.map(toSavedPaymentMethod), hasMore: list.has_more };
      }),

    retrieveCustomerPaymentMethod: (customerId, paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // Customers.d.ts `retrievePaymentMethod`: a method of another customer is "No such PaymentMethod".
        return toSavedPaymentMethod(
          await stripe.customers.retrievePaymentMethod(customerId, paymentMethodId),
        );
      }),

    detachPaymentMethod: (customerId, paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // Detach takes no customer (PaymentMethods.d.ts `detach`): the method's own `customer` is read first,
        // so a change can only ever detach a method of the customer it was asked for by. `null` means it
        // was detached already (a redelivery after the detach went through): the effect is there.
        const method = await stripe.paymentMethods.retrieve(paymentMethodId);
        const owner = idOf(method.customer);
        if (owner === null) return 'detached';
        if (owner !== customerId) return 'not_owned';
        try {
          await stripe.paymentMethods.detach(paymentMethodId);
        } catch (error) {
          // Stripe documents no answer for detaching a method that is no longer attached, so a refusal is not
          // read by its code: the method is read again, and one with no customer now was detached meanwhile.
          if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
          const after = await stripe.paymentMethods.retrieve(paymentMethodId);
          if (idOf(after.customer) === null) return 'detached';
          throw error;
        }
        return 'detached';
      }),
  };
}

const REDISPLAY_VALUES = ['always', 'limited', 'unspecified'] as const;

/**
 * Bank debits name their bank where Stripe knows it (PaymentMethods.d.ts: us_bank_account, acss_debit); Link and
 * PayPal their account's email (`link.email`, `paypal.payer_email`), which is how a customer tells two apart.
 */
function toSavedPaymentMethod(method: Stripe.PaymentMethod): SavedPaymentMethod {
  const saved: SavedPaymentMethod = {
    id: method.id,
    type: method.type,
    created: method.created,
    livemode: method.livemode,
    // A value added after the pinned API version is treated like `unspecified`: not shown by Checkout.
    allowRedisplay: REDISPLAY_VALUES.find((value) => value === method.allow_redisplay) ?? 'unspecified',
  };
  if (method.card) saved.card = cardDetailsOf(method.card);
  if (method.link) saved.account = { email: method.link.email ?? null };
  if (method.paypal) saved.account = { email: method.paypal.payer_email ?? null };
  const bank =
    method.us_bank_account ??
    method.acss_debit ??
    method.sepa_debit ??
    method.bacs_debit ??
    method.au_becs_debit;
  if (bank) {
    saved.bank = {
      bankName: 'bank_name' in bank ? (bank.bank_name ?? null) : null,
      last4: bank.last4 ?? null,
    };
  }
  return saved;
}
