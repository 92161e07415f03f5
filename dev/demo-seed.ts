import type Stripe from 'stripe';
import type { DemoAccount } from './demo-pages';

const DEMO_CUSTOMERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com', subscribed: true },
  { name: 'Grace Hopper', email: 'grace@example.com', subscribed: true },
  { name: 'Alan Turing', email: 'alan@example.com', subscribed: false },
];

/** Demo customers (two with a subscription) in the Stripe stand-in, so the demo works with no setup. */
export async function seedDemoAccounts(stripe: Stripe): Promise<DemoAccount[]> {
  return Promise.all(
    DEMO_CUSTOMERS.map(async ({ name, email, subscribed }) => {
      const customer = await stripe.customers.create({ name, email });
      if (!subscribed) return { name, email, customerId: customer.id };
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: 'price_demo_pro_monthly' }],
      });
      return { name, email, customerId: customer.id, subscriptionId: subscription.id };
    }),
  );
}
