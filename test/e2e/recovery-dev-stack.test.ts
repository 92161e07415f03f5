import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { advancePastTrial, seedRenewalDemo } from '../../dev/recovery-demo';
import { until } from '../support/eventually';

/*
 * The recovery scenario in the stack `npm run dev` runs, using only Stripe's API on the stand-in (official SDK).
 * Oracles: https://docs.stripe.com/billing/testing/test-clocks, https://docs.stripe.com/testing#declined-payments
 * (4000 0000 0000 0341 saves, charges fail), https://docs.stripe.com/billing/subscriptions/webhooks#payment-failures.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, standInPort: 0, logLevel: 'silent' });
}, 30_000);
afterAll(() => stack.close());

it('a trial on 0341 ends: update needed within 30 s, the link leads to Checkout, 4242 pays the invoice, the link then answers 410', async () => {
  const { stripe } = stack;
  // The demo's own seed: a clock at today, a customer on it whose default is pm_card_chargeCustomerFail, a
  // subscription with a 7-day trial; then the clock is advanced 8 days (all through the SDK).
  const demo = await seedRenewalDemo(stripe);
  const customer = { id: demo.customerId };
  const subscription = { id: demo.subscriptionId };
  await advancePastTrial(stripe, demo);

  const needed = await until(async () => {
    const events = (await (await fetch(`${stack.url}/_dev/outcome-events`)).json()) as {
      detailType: string;
      detail: { customerId: string; reason?: string; updateUrl?: string };
    }[];
    return events.find(
      (event) =>
        event.detailType === 'Payment method update needed' &&
        event.detail.customerId === customer.id &&
        event.detail.reason === 'payment_failed',
    );
  }, 30_000);
  const updateUrl = needed.detail.updateUrl ?? '';
  const opened = await fetch(updateUrl, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  const sessionId = (opened.headers.get('location') ?? '').split('/').at(-1) ?? '';
  expect((await stripe.checkout.sessions.retrieve(sessionId)).customer).toBe(customer.id);

  const completed = await stack.standIn?.completeCheckoutSession(sessionId, { card: '4242424242424242' });
  const newCard = completed && !completed.declined ? completed.paymentMethod.id : '';
  const invoiceId = (await stripe.subscriptions.retrieve(subscription.id)).latest_invoice as string;
  await until(
    async () => ((await stripe.invoices.retrieve(invoiceId)).status === 'paid' ? true : undefined),
    30_000,
  );
  expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
    status: 'active',
    default_payment_method: newCard,
  });
  expect(await stripe.customers.retrieve(customer.id)).toMatchObject({
    invoice_settings: { default_payment_method: newCard },
  });
  await until(
    async () => ((await fetch(updateUrl, { redirect: 'manual' })).status === 410 ? true : undefined),
    10_000,
  );
}, 90_000);
