import {
  CHARGEABLE_SUBSCRIPTION_STATUSES,
  type CustomerSubscriptions,
  type StripeGateway,
  type SubscriptionDefault,
} from '../ports';
import type { Payer } from '../recovery-ports';
import { methodThatPays } from './recovery/charge-order';

export interface CustomerDefaults {
  listing: CustomerSubscriptions;
  /** The customer's invoice default. */
  customerDefault: string | null;
  /** The customer's legacy `default_source`, charged when it has no invoice default. */
  customerDefaultSource?: string | null;
}

/**
 * The customer's subscriptions with their own defaults, and its invoice default. The listing expands the
 * customer on its first page (`expand[]=data.customer`, Subscriptions.d.ts `customer: string | Customer`), so
 * its invoice default comes in the same call; only a customer without subscriptions, which has none to expand
 * it from, is read on its own. Stripe's rate limit is per account and the binding one
 * (https://docs.stripe.com/rate-limits), so a call saved beats the round trip it costs such a customer.
 */
export async function readCustomerDefaults(
  stripe: Pick<StripeGateway, 'listSubscriptionDefaults' | 'currentDefaultPaymentMethod'>,
  customerId: string,
): Promise<CustomerDefaults> {
  const listing = await stripe.listSubscriptionDefaults(customerId);
  // The expanded customer carries its legacy `default_source` too; a customer without subscriptions has
  // nothing a default source would be charged for here.
  const customerDefaultSource = listing.customerDefaultSource ?? null;
  if (listing.customerDefault !== undefined)
    return { listing, customerDefault: listing.customerDefault, customerDefaultSource };
  const current = await stripe.currentDefaultPaymentMethod({ kind: 'customer', id: customerId });
  return { listing, customerDefault: current?.paymentMethodId ?? null, customerDefaultSource };
}

/**
 * What Stripe charges for the subscription's next invoice, and where that comes from, in Stripe's order: the
 * subscription's `default_payment_method`, its `default_source`, the customer's invoice default, the
 * customer's `default_source` (Subscriptions.d.ts; charge-order.ts).
 */
export function payerOf(
  subscription: Pick<SubscriptionDefault, 'defaultPaymentMethodId' | 'defaultSourceId'>,
  customer: Pick<CustomerDefaults, 'customerDefault' | 'customerDefaultSource'>,
): Payer | undefined {
  const candidates: (Payer | undefined)[] = [
    present(subscription.defaultPaymentMethodId, 'subscription.default_payment_method'),
    present(subscription.defaultSourceId, 'subscription.default_source'),
    present(customer.customerDefault, 'customer.invoice_settings.default_payment_method'),
    present(customer.customerDefaultSource, 'customer.default_source'),
  ];
  return methodThatPays(candidates.filter((payer): payer is Payer => payer !== undefined));
}

/** Whether the subscription pays with something of its own rather than the customer's default. */
export function paysOnItsOwn(
  subscription: Pick<SubscriptionDefault, 'defaultPaymentMethodId' | 'defaultSourceId'>,
) {
  return Boolean(subscription.defaultPaymentMethodId || subscription.defaultSourceId);
}

function present(id: string | null | undefined, source: Payer['source']): Payer | undefined {
  return id ? { id, source } : undefined;
}

export interface MethodUsers {
  /** The method is the customer's invoice default. */
  customer: boolean;
  /**
   * Chargeable subscriptions it pays: its own default, the customer default it inherits, or the method a
   * phase of its schedule will make its default.
   */
  subscriptions: string[];
}

/**
 * Who would be left without a default if the method were detached now. Detaching clears it wherever it was
 * a default (Stripe: "detach … it can no longer be used for payments"), so a subscription on it, or one
 * inheriting it from the customer, would find no method at its next invoice.
 */
export function usersOf(paymentMethodId: string, defaults: CustomerDefaults): MethodUsers {
  const { listing, customerDefault, customerDefaultSource } = defaults;
  const customer = (customerDefault ?? customerDefaultSource) === paymentMethodId;
  // Who pays with it in Stripe's charge order (payerOf): a subscription with a default or a default source
  // of its own does not inherit the customer's default.
  const subscriptions = listing.subscriptions
    .filter((s) => CHARGEABLE_SUBSCRIPTION_STATUSES.includes(s.status))
    .filter(
      (s) =>
        payerOf(s, defaults)?.id === paymentMethodId ||
        // A schedule phase to come that names it would make it the subscription's default again.
        (s.scheduledPaymentMethodIds ?? []).includes(paymentMethodId),
    )
    .map((s) => s.id);
  return { customer, subscriptions };
}

export function inUse(users: MethodUsers): boolean {
  return users.customer || users.subscriptions.length > 0;
}

export function describeUsers(users: MethodUsers): string {
  const parts = [
    ...(users.customer ? ['the customer’s default for invoices'] : []),
    ...(users.subscriptions.length > 0 ? [`subscriptions ${users.subscriptions.join(', ')}`] : []),
  ];
  return parts.join(' and ');
}
