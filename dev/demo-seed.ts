import type Stripe from 'stripe';
import type { DemoAccount } from './demo-pages';

const DEMO_CUSTOMERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com', subscribed: true },
  { name: 'Grace Hopper', email: 'grace@example.com', subscribed: true },
  { name: 'Alan Turing', email: 'alan@example.com', subscribed: false },
];

/**
 * Demo customers (two with a subscription) in the Stripe stand-in, so the demo works with no setup. Created
 * one after the other, so with stable ids (`useStableIds`) each demo customer gets the same id every run.
 */
export async function seedDemoAccounts(stripe: Stripe): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  for (const { name, email, subscribed } of DEMO_CUSTOMERS) {
    const customer = await stripe.customers.create({ name, email });
    if (!subscribed) {
      accounts.push({ name, email, customerId: customer.id });
      continue;
    }
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_demo_pro_monthly' }],
    });
    accounts.push({ name, email, customerId: customer.id, subscriptionId: subscription.id });
  }
  return accounts;
}
