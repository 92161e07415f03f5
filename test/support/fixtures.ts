import type Stripe from 'stripe';

/** A customer with an active subscription: the usual starting point of "Update payment details". */
export async function customerWithSubscription(stripe: Stripe) {
  const customer = await stripe.customers.create({ email: `buyer-${Date.now()}@example.com` });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_basic' }],
  });
  return { customer, subscription };
}

export async function defaultsOf(stripe: Stripe, customerId: string, subscriptionId?: string) {
  const customer = (await stripe.customers.retrieve(customerId)) as Stripe.Customer;
  const subscription = subscriptionId ? await stripe.subscriptions.retrieve(subscriptionId) : undefined;
  const idOf = (value: string | { id: string } | null | undefined) =>
    typeof value === 'string' ? value : (value?.id ?? null);
  return {
    customerDefault: idOf(customer.invoice_settings?.default_payment_method),
    subscriptionDefault: subscription ? idOf(subscription.default_payment_method) : undefined,
  };
}
