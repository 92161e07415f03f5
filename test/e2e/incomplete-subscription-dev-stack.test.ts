import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { until } from '../support/eventually';

/*
 * A setup for an `incomplete` subscription in the stack `npm run dev` runs, through the official SDK on the
 * stand-in. Oracle: Subscription.status in Subscriptions.d.ts ("A subscription in this status can only have
 * metadata and default_source updated. Once the first invoice is paid, the subscription moves into an active
 * status"); `payment_behavior: default_incomplete` in SubscriptionCreateParams.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, standInPort: 0, logLevel: 'silent' });
}, 30_000);
afterAll(() => stack.close());

it('a card saved for an incomplete subscription pays its first invoice; the subscription is active on that card', async () => {
  const { stripe } = stack;
  const customer = await stripe.customers.create({ email: 'incomplete@example.com' });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_basic' }],
    payment_behavior: 'default_incomplete',
  });
  expect(subscription.status).toBe('incomplete');
  const signedIn = await fetch(`${stack.url}/_dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: customer.id }),
  });
  const { token } = (await signedIn.json()) as { token: string };
  const created = await fetch(`${stack.url}/checkout-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ subscription: subscription.id }),
  });
  expect(created.status).toBe(201);
  const { id: sessionId } = (await created.json()) as { id: string };

  const completed = await stack.standIn?.completeCheckoutSession(sessionId, { card: '4242424242424242' });
  const card = completed && !completed.declined ? completed.paymentMethod.id : '';
  const invoiceId = subscription.latest_invoice as string;
  await until(
    async () => ((await stripe.invoices.retrieve(invoiceId)).status === 'paid' ? true : undefined),
    30_000,
  );
  expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
    status: 'active',
    default_payment_method: card,
  });
}, 60_000);
