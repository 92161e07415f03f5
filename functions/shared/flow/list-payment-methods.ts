import type { CardDetails, StripeGateway } from '../ports';
import { CHARGEABLE_SUBSCRIPTION_STATUSES } from '../ports';
import { payerOf, readCustomerDefaults } from './removal-check';

export interface SavedMethodView {
  id: string;
  type: string;
  created: number;
  card?: CardDetails;
  bank?: { bankName: string | null; last4: string | null };
  account?: { email: string | null };
  /** Whether Checkout shows it to the customer again (`always`), or hides it from them there. */
  allowRedisplay: 'always' | 'limited' | 'unspecified';
  /** The customer's invoice default. */
  isCustomerDefault: boolean;
  /** The chargeable subscriptions this method pays, on their own default or the customer's. */
  pays: string[];
}

export interface PaymentMethodsView {
  data: SavedMethodView[];
  hasMore: boolean;
  /** Pass as `starting_after` for the next page (Stripe's cursor), when there is one. */
  nextStartingAfter: string | null;
  customerDefault: string | null;
  subscriptions: {
    id: string;
    status: string;
    /** The method that will pay its next invoice in Stripe's charge order (payerOf), and where it comes from. */
    paymentMethod: string | null;
    source: 'subscription' | 'customer';
  }[];
}

/** `GET /payment-methods`: one page of saved methods as Stripe pages them, with who each one pays. */
export async function listPaymentMethods(
  stripe: StripeGateway,
  customerId: string,
  page: { limit: number; startingAfter?: string },
): Promise<PaymentMethodsView> {
  const [methods, defaults] = await Promise.all([
    stripe.listCustomerPaymentMethods(customerId, page),
    readCustomerDefaults(stripe, customerId),
  ]);
  // Without an invoice default, the customer's legacy `default_source` is what its invoices are charged to.
  const customerDefault = defaults.customerDefault ?? defaults.customerDefaultSource ?? null;
  const subscriptions = defaults.listing.subscriptions
    .filter((s) => CHARGEABLE_SUBSCRIPTION_STATUSES.includes(s.status))
    .map((s) => {
      const payer = payerOf(s, defaults);
      return {
        id: s.id,
        status: s.status,
        paymentMethod: payer?.id ?? null,
        source: payer?.source.startsWith('subscription.') ? ('subscription' as const) : ('customer' as const),
      };
    });
  return {
    data: methods.data.map((method) => ({
      id: method.id,
      type: method.type,
      created: method.created,
      ...(method.card ? { card: method.card } : {}),
      ...(method.bank ? { bank: method.bank } : {}),
      ...(method.account ? { account: method.account } : {}),
      allowRedisplay: method.allowRedisplay,
      isCustomerDefault: method.id === customerDefault,
      pays: subscriptions.filter((s) => s.paymentMethod === method.id).map((s) => s.id),
    })),
    hasMore: methods.hasMore,
    nextStartingAfter: methods.hasMore ? (methods.data.at(-1)?.id ?? null) : null,
    customerDefault,
    subscriptions,
  };
}
