import type Stripe from 'stripe';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { send } from '../support/http';
import { setupWithOutcome } from '../support/outcome-setups';
import { savedMethodRequests } from '../support/saved-methods';

/*
 * Legacy `default_source` in Stripe's charge order. Oracle: Subscriptions.d.ts — `default_payment_method`
 * "takes precedence over `default_source`. If neither are set, invoices will use the customer's
 * invoice_settings.default_payment_method or default_source" — so the order is the subscription's
 * default_payment_method, its default_source, the customer's invoice default, the customer's default_source.
 * Card sources: Cards.d.ts and https://docs.stripe.com/api/cards/create (the first card becomes the customer's
 * default_source).
 */

const running = useStackWithOutcomes();
const stack = () => running.stack;
const { api, remove } = savedMethodRequests(stack);
const items = [{ price: 'price_basic' }];

async function cardSource(customer: string, token = 'tok_mastercard'): Promise<string> {
  return ((await stack().stripe.customers.createSource(customer, { source: token })) as Stripe.Card).id;
}

const setupWithoutSubscription = (customer: string, env: Record<string, string> = {}) =>
  setupWithOutcome(running, customer, { env });

/** An invoice default (a card), a card source with a subscription on it, and a subscription that inherits. */
async function customerWithOwnSource() {
  const customer = (await stack().stripe.customers.create({})).id;
  const invoiceDefault = (await stack().stripe.paymentMethods.attach('pm_card_visa', { customer })).id;
  await stack().stripe.customers.update(customer, {
    invoice_settings: { default_payment_method: invoiceDefault },
  });
  const source = await cardSource(customer);
  const own = (await stack().stripe.subscriptions.create({ customer, items })).id;
  await stack().stripe.subscriptions.update(own, { default_source: source });
  const inherits = (await stack().stripe.subscriptions.create({ customer, items })).id;
  return { customer, invoiceDefault, source, own, inherits };
}

describe('legacy default_source in Stripe’s charge order', () => {
  it('the listing shows a subscription with its own default_source paid by that source, not the customer default', async () => {
    const { customer, invoiceDefault, source, own, inherits } = await customerWithOwnSource();

    const listed = await send(api(`/payment-methods?customer=${customer}`));
    expect(listed.status).toBe(200);
    const bySubscription = Object.fromEntries(
      (listed.json.subscriptions as { id: string }[]).map((s) => [s.id, s]),
    );
    expect(bySubscription[own]).toMatchObject({ paymentMethod: source, source: 'subscription' });
    expect(bySubscription[inherits]).toMatchObject({ paymentMethod: invoiceDefault, source: 'customer' });
    const methods = Object.fromEntries((listed.json.data as { id: string }[]).map((m) => [m.id, m]));
    expect(methods[source]).toMatchObject({ pays: [own], isCustomerDefault: false });
    expect(methods[invoiceDefault]).toMatchObject({ pays: [inherits], isCustomerDefault: true });
  });

  it('a customer whose only default is its default_source: the listing names it, and its removal check counts what it pays', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const source = await cardSource(customer);
    expect(((await stack().stripe.customers.retrieve(customer)) as Stripe.Customer).default_source).toBe(
      source,
    );
    const inherits = (await stack().stripe.subscriptions.create({ customer, items })).id;
    const listed = await send(api(`/payment-methods?customer=${customer}`));
    expect(listed.json).toMatchObject({
      customerDefault: source,
      subscriptions: [{ id: inherits, paymentMethod: source, source: 'customer' }],
    });
  });

  it('removing the customer default names only the subscriptions it pays, not one on its own default_source', async () => {
    const { customer, invoiceDefault, own, inherits } = await customerWithOwnSource();
    const refused = await remove(customer, invoiceDefault);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain(inherits);
    expect(refused.json.error.message).not.toContain(own);
  });

  it('follow: a subscription set to the card the customer was charged through default_source follows the new default', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const source = await cardSource(customer);
    // Its own default is the legacy card, which is also the customer's default_source (no invoice default).
    const follower = (
      await stack().stripe.subscriptions.create({ customer, items, default_payment_method: source })
    ).id;
    const { paymentMethod, detail } = await setupWithoutSubscription(customer);
    expect(detail).toMatchObject({ status: 'applied', subscriptionsMoved: [follower] });
    expect((await stack().stripe.subscriptions.retrieve(follower)).default_payment_method).toBe(
      paymentMethod,
    );
  });

  it('past-due payment: a subscription on its own default_source does not inherit the new customer default, and is not charged to it', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const source = await cardSource(customer);
    const own = (await stack().stripe.subscriptions.create({ customer, items })).id;
    await stack().stripe.subscriptions.update(own, { default_source: source });
    const invoice = stack().stripeStandIn.makeSubscriptionPastDue(own, 1500).id;
    const { detail } = await setupWithoutSubscription(customer, { PAY_OPEN_INVOICE: 'true' });
    expect(detail.status).toBe('applied');
    expect(detail).not.toHaveProperty('invoicePayments');
    expect((await stack().stripe.invoices.retrieve(invoice)).status).toBe('open');
  });
});
