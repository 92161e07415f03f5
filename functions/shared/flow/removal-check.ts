import { CHARGEABLE_SUBSCRIPTION_STATUSES, type CustomerSubscriptions, type StripeGateway } from '../ports';

export interface CustomerDefaults {
  listing: CustomerSubscriptions;
  /** The customer's invoice default. */
  customerDefault: string | null;
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
  if (listing.customerDefault !== undefined) return { listing, customerDefault: listing.customerDefault };
  const current = await stripe.currentDefaultPaymentMethod({ kind: 'customer', id: customerId });
  return { listing, customerDefault: current?.paymentMethodId ?? null };
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
export function usersOf(
  paymentMethodId: string,
  { listing, customerDefault }: CustomerDefaults,
): MethodUsers {
  const customer = customerDefault === paymentMethodId;
  const subscriptions = listing.subscriptions
    .filter((s) => CHARGEABLE_SUBSCRIPTION_STATUSES.includes(s.status))
    .filter(
      (s) =>
        s.defaultPaymentMethodId === paymentMethodId ||
        (customer && s.defaultPaymentMethodId === null) ||
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
