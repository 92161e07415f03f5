import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { caughtStripeError } from '../support/stand-in-requests';

/*
 * The stand-in's saved-method resources, driven by the pinned SDK. Oracles: Customers.d.ts
 * (`listPaymentMethods`, `retrievePaymentMethod`), PaymentMethods.d.ts (`detach`), Subscriptions.d.ts
 * (`list` by customer and status: without `status`, every subscription that is not canceled).
 */

let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = new Stripe('sk_test_standin', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(() => standIn.close());

const caught = caughtStripeError;

async function savedCard(customer: string, token = 'tok_visa'): Promise<string> {
  const card = await stripe.paymentMethods.create({ type: 'card', card: { token } });
  await stripe.paymentMethods.attach(card.id, { customer });
  return card.id;
}

describe('a customer’s payment methods', () => {
  it('lists only this customer’s, newest first, paged with has_more and starting_after', async () => {
    const customer = await stripe.customers.create({});
    const other = await stripe.customers.create({});
    const ids = [
      await savedCard(customer.id),
      await savedCard(customer.id, 'tok_mastercard'),
      await savedCard(customer.id, 'tok_amex'),
    ];
    await savedCard(other.id);
    const first = await stripe.customers.listPaymentMethods(customer.id, { limit: 2 });
    expect(first.object).toBe('list');
    expect(first.data.map((pm) => pm.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const rest = await stripe.customers.listPaymentMethods(customer.id, { limit: 2, starting_after: ids[1] });
    expect(rest.data.map((pm) => pm.id)).toEqual([ids[0]]);
    expect(rest.has_more).toBe(false);
    expect(rest.data[0]?.card).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('retrieves a method of this customer; another customer’s, or a detached one, is resource_missing (404)', async () => {
    const customer = await stripe.customers.create({});
    const other = await stripe.customers.create({});
    const mine = await savedCard(customer.id);
    const theirs = await savedCard(other.id);
    expect((await stripe.customers.retrievePaymentMethod(customer.id, mine)).id).toBe(mine);
    const foreign = await caught(stripe.customers.retrievePaymentMethod(customer.id, theirs));
    expect(foreign).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(foreign).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await stripe.paymentMethods.detach(mine);
    const detached = await caught(stripe.customers.retrievePaymentMethod(customer.id, mine));
    expect(detached).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('detaching twice is refused with a 400 that names no code (no Stripe source gives one); detaching clears the defaults it held', async () => {
    const customer = await stripe.customers.create({});
    const card = await savedCard(customer.id);
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card } });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
      default_payment_method: card,
    });
    const detached = await stripe.paymentMethods.detach(card);
    expect(detached.customer).toBeNull();
    const again = await caught(stripe.paymentMethods.detach(card));
    expect(again).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(again.code).toBeUndefined();
    const after = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(after.invoice_settings.default_payment_method).toBeNull();
    expect((await stripe.subscriptions.retrieve(subscription.id)).default_payment_method).toBeNull();
    // A detached method cannot be made a default again.
    const reuse = await caught(
      stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card } }),
    );
    expect(reuse).toMatchObject({ code: 'resource_missing' });
  });
});

describe('a customer’s subscriptions by status', () => {
  it('lists those not canceled by default, one status when asked, all with status=all; the customer expands', async () => {
    const customer = await stripe.customers.create({});
    const card = await savedCard(customer.id);
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card } });
    const active = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_a' }],
    });
    const canceled = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_b' }],
    });
    await stripe.subscriptions.cancel(canceled.id);
    await stripe.subscriptions.create({
      customer: (await stripe.customers.create({})).id,
      items: [{ price: 'price_c' }],
    });

    const open = await stripe.subscriptions.list({ customer: customer.id, expand: ['data.customer'] });
    expect(open.data.map((s) => s.id)).toEqual([active.id]);
    const expanded = open.data[0]?.customer as Stripe.Customer;
    expect(expanded.invoice_settings.default_payment_method).toBe(card);
    expect(
      (await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data.map((s) => s.id),
    ).toEqual([canceled.id]);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(2);
  });
});
