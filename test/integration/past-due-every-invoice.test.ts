import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { setupWithOutcome } from '../support/outcome-setups';
import { nextSecond } from '../support/saved-methods';

/*
 * With the past-due option on, the new method pays what is overdue on every subscription that now charges it.
 * Oracles: Stripe retries each open invoice on its own and a subscription stays `past_due` (or `unpaid`) until
 * its open invoices are paid (https://docs.stripe.com/billing/subscriptions/overview#failed-payments;
 * Subscriptions.d.ts `Status`); a subscription without its own `default_payment_method` is charged to the
 * customer's `invoice_settings.default_payment_method` (Subscriptions.d.ts `default_payment_method`); card
 * 4000 0000 0000 0341 saves but every charge on it is declined (https://docs.stripe.com/testing).
 */

const running = useStackWithOutcomes();
const stack = () => running.stack;
const items = [{ price: 'price_basic' }];

async function overdue(subscription: string, times: number, status: 'past_due' | 'unpaid' = 'past_due') {
  const invoices: string[] = [];
  for (let i = 0; i < times; i++) {
    // Each renewal in a second of its own: "oldest first" is then well defined (Stripe orders by `created`).
    await nextSecond();
    invoices.push(stack().stripeStandIn.makeSubscriptionPastDue(subscription, 1000 + i, status).id);
  }
  return invoices;
}

const setup = (customer: string, subscription?: string, card?: string) =>
  setupWithOutcome(running, customer, {
    ...(subscription ? { subscription } : {}),
    ...(card ? { card } : {}),
    env: { PAY_OPEN_INVOICE: 'true' },
  });

const statusOf = async (invoice: string) => (await stack().stripe.invoices.retrieve(invoice)).status;
const payAttempts = (invoice: string) =>
  stack().stripeStandIn.requests.filter((r) => r.path === `/v1/invoices/${invoice}/pay`).length;

describe('past-due payment pays every open invoice, oldest first (PAY_OPEN_INVOICE)', () => {
  it.each(['past_due', 'unpaid'] as const)(
    'a named %s subscription with two open invoices: both paid, oldest first, and it is active again',
    async (status) => {
      const customer = (await stack().stripe.customers.create({})).id;
      const subscription = (await stack().stripe.subscriptions.create({ customer, items })).id;
      const [older, newer] = await overdue(subscription, 2, status);
      const { detail } = await setup(customer, subscription);
      expect(detail.invoicePayments).toEqual([
        { invoiceId: older, subscriptionId: subscription, status: 'paid' },
        { invoiceId: newer, subscriptionId: subscription, status: 'paid' },
      ]);
      expect(detail.invoicePayment).toMatchObject({ invoiceId: older, status: 'paid' });
      expect([await statusOf(older as string), await statusOf(newer as string)]).toEqual(['paid', 'paid']);
      expect((await stack().stripe.subscriptions.retrieve(subscription)).status).toBe('active');
    },
  );

  it('subscriptions that follow or inherit the new default get their open invoices paid too', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const first = await setup(customer);
    const follower = (
      await stack().stripe.subscriptions.create({
        customer,
        items,
        default_payment_method: first.paymentMethod,
      })
    ).id;
    const inheritor = (await stack().stripe.subscriptions.create({ customer, items })).id;
    const [followerInvoice] = await overdue(follower, 1);
    const [inheritorInvoice] = await overdue(inheritor, 1);

    const { detail } = await setup(customer);
    expect(detail.subscriptionsMoved).toEqual([follower]);
    expect(detail.invoicePayments).toEqual(
      expect.arrayContaining([
        { invoiceId: followerInvoice, subscriptionId: follower, status: 'paid' },
        { invoiceId: inheritorInvoice, subscriptionId: inheritor, status: 'paid' },
      ]),
    );
    expect((await stack().stripe.subscriptions.retrieve(follower)).status).toBe('active');
    expect((await stack().stripe.subscriptions.retrieve(inheritor)).status).toBe('active');
  });

  it('stops at the first decline and reports it: the newer invoice is not attempted', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const subscription = (await stack().stripe.subscriptions.create({ customer, items })).id;
    const [older, newer] = await overdue(subscription, 2);
    const { detail } = await setup(customer, subscription, '4000000000000341');
    expect(detail).toMatchObject({
      status: 'applied',
      invoicePayments: [{ invoiceId: older, status: 'failed', failureCode: 'generic_decline' }],
    });
    expect(payAttempts(older as string)).toBe(1);
    expect(payAttempts(newer as string)).toBe(0);
    expect(await statusOf(newer as string)).toBe('open');
  });
});
