import type Stripe from 'stripe';
import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { checkoutSaveableTypes } from '../../functions/shared/flow/create-checkout-session';
import { completeSession } from '../support/checkout';
import { defaultsOf } from '../support/fixtures';
import { postJson } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * The service against Stripe's behaviours the stand-in now models (each test names its source):
 * subscription statuses (Subscriptions.d.ts `status`), idempotent requests (docs.stripe.com/api/idempotent_requests),
 * what Checkout can save (Checkout/Sessions.d.ts `AllowedPaymentMethodType`), ACSS mandates
 * (docs.stripe.com/payments/acss-debit/set-up-payment), detaching (PaymentMethods.d.ts `detach`).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.stripeStandIn.faults.clear());

const { api, remove, makeDefault, changeStatus, nextSecond, savedCard } = savedMethodRequests(() => stack);

async function attachedCard(customer: string, token = 'pm_card_visa'): Promise<string> {
  return (await stack.stripe.paymentMethods.attach(token, { customer })).id;
}

async function setupFor(customer: string, subscription?: string, card?: string) {
  await nextSecond();
  const created = await postJson(`${api('/checkout-sessions')}`, {
    customer,
    ...(subscription ? { subscription } : {}),
  });
  expect(created.status).toBe(201);
  const completed = await completeSession(stack.stripeStandIn, created.json.id, card ? { card } : {});
  await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
  await stack.drainQueue({ retryDelaySeconds: 0 });
  return { completed, record: await stack.records.get(completed.setupIntent.id) };
}

describe('an incomplete subscription (Subscriptions.d.ts: "can only have metadata and default_source updated")', () => {
  it('the setup pays its first invoice with the new method; the subscription is active on it', async () => {
    const customer = await stack.stripe.customers.create({});
    const subscription = await stack.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
      payment_behavior: 'default_incomplete',
    });
    const { completed, record } = await setupFor(customer.id, subscription.id);
    expect(record).toMatchObject({ status: 'applied', subscriptionDefault: 'applied' });
    const after = await stack.stripe.subscriptions.retrieve(subscription.id);
    expect(after).toMatchObject({ status: 'active', default_payment_method: completed.paymentMethod.id });
    expect((await stack.stripe.invoices.retrieve(subscription.latest_invoice as string)).status).toBe('paid');
  });
});

describe('iDEAL, Bancontact, Sofort (SetupAttempts.d.ts `generated_sepa_debit`; docs.stripe.com/payments/ideal/set-up-payment)', () => {
  it.each(['ideal', 'bancontact', 'sofort'] as const)(
    '%s: the generated SEPA Direct Debit method becomes the default, not the single-use one',
    async (type) => {
      const customer = (await stack.stripe.customers.create({})).id;
      const subscription = await stack.stripe.subscriptions.create({
        customer,
        currency: 'eur',
        items: [{ price: 'price_basic' }],
      });
      await nextSecond();
      const created = await postJson(api('/checkout-sessions'), { customer, subscription: subscription.id });
      const completed = await completeSession(stack.stripeStandIn, created.json.id, { bankRedirect: type });
      await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
      await stack.drainQueue({ retryDelaySeconds: 0 });
      const intent = await stack.stripe.setupIntents.retrieve(completed.setupIntent.id, {
        expand: ['latest_attempt'],
      });
      const details = (intent.latest_attempt as Stripe.SetupAttempt).payment_method_details;
      const generated = details[type]?.generated_sepa_debit;
      expect(generated).toMatch(/^pm_/);
      expect(completed.paymentMethod.type).toBe(type);
      expect(await stack.records.get(completed.setupIntent.id)).toMatchObject({
        status: 'applied',
        paymentMethodId: generated,
      });
      expect(await defaultsOf(stack.stripe, customer, subscription.id)).toEqual({
        customerDefault: generated,
        subscriptionDefault: generated,
      });
    },
  );
});

describe('DELETE with replaceWith moves only what the removed method paid', () => {
  it('customer default pm_A, sub_a on pm_A, sub_b on pm_B; removing pm_B for pm_C leaves the customer and sub_a on pm_A', async () => {
    const customer = (await stack.stripe.customers.create({})).id;
    const [a, b, c] = [
      await attachedCard(customer),
      await attachedCard(customer),
      await attachedCard(customer),
    ];
    await stack.stripe.customers.update(customer, { invoice_settings: { default_payment_method: a } });
    const items = [{ price: 'price_basic' }];
    const subA = (await stack.stripe.subscriptions.create({ customer, items, default_payment_method: a })).id;
    const subB = (await stack.stripe.subscriptions.create({ customer, items, default_payment_method: b })).id;
    await nextSecond();
    const accepted = await remove(customer, b as string, c);
    expect(accepted.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customer, accepted.json.statusUrl)).toMatchObject({
      status: 'applied',
      subscriptionsMoved: [subB],
    });
    expect(await defaultsOf(stack.stripe, customer, subA)).toEqual({
      customerDefault: a,
      subscriptionDefault: a,
    });
    expect((await defaultsOf(stack.stripe, customer, subB)).subscriptionDefault).toBe(c);
    expect((await stack.stripe.paymentMethods.retrieve(b as string)).customer).toBeNull();
  });
});

describe('paying the open invoice under Stripe’s idempotency (saved answers, 500s included, for 24 h)', () => {
  async function pastDueSetup() {
    const customer = (await stack.stripe.customers.create({})).id;
    const subscription = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_basic' }],
    });
    const invoice = stack.stripeStandIn.makeSubscriptionPastDue(subscription.id, 4900);
    return { customer, subscription: subscription.id, invoice: invoice.id };
  }

  it('executed, then 500, on a card that is declined: retries do not replay the saved 500 until the message dead-letters', async () => {
    const { customer, subscription, invoice } = await pastDueSetup();
    // The attempt runs (and is declined), but Stripe answers 500 and saves that answer under the key.
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`^/v1/invoices/${invoice}/pay$`),
      status: 500,
      phase: 'executed',
    });
    // The stack's worker pays past-due invoices only with the option on: a worker of its own here.
    const payingWorker = wireSetupWorker({ ...stack.env, PAY_OPEN_INVOICE: 'true' });
    await nextSecond();
    const created = await postJson(api('/checkout-sessions'), { customer, subscription });
    const completed = await completeSession(stack.stripeStandIn, created.json.id, {
      card: '4000000000000341',
    });
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, payingWorker, {
      retryDelaySeconds: 0,
      maxPolls: 5,
    });
    expect(await stack.records.get(completed.setupIntent.id)).toMatchObject({ status: 'applied' });
    // Two attempts: the one whose answer was the saved 500, and the next one, under a new key.
    const attempts = stack.stripeStandIn.requests.filter((r) => r.path === `/v1/invoices/${invoice}/pay`);
    expect(attempts.filter((r) => !r.replayed)).toHaveLength(2);
    expect((await stack.stripe.invoices.retrieve(invoice)).attempt_count).toBe(3);
  });
});

describe('a paused subscription is charged again when it resumes (docs.stripe.com/billing/subscriptions/pause-payment)', () => {
  // Paused the way Stripe pauses: a trial that ends with no payment method and `missing_payment_method: pause`
  // (Subscriptions.d.ts `TrialSettings.EndBehavior`), on a Test Clock; then a method set on it to resume with.
  async function pausedOnCard() {
    const now = Math.floor(Date.now() / 1000);
    const clock = await stack.stripe.testHelpers.testClocks.create({ frozen_time: now });
    const customer = (await stack.stripe.customers.create({ test_clock: clock.id })).id;
    const subscription = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_basic' }],
      trial_period_days: 1,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    await stack.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 2 * 24 * 3600 });
    await stack.stripeStandIn.testClocksReady();
    const first = await savedCard(customer);
    await stack.stripe.subscriptions.update(subscription.id, { default_payment_method: first });
    expect((await stack.stripe.subscriptions.retrieve(subscription.id)).status).toBe('paused');
    return { customer, first, subscription: subscription.id };
  }

  it('follows the customer’s new default like any chargeable subscription', async () => {
    const { customer, subscription } = await pausedOnCard();
    const second = await savedCard(customer, undefined, '5555555555554444');
    expect((await defaultsOf(stack.stripe, customer, subscription)).subscriptionDefault).toBe(second);
  });

  it('the method it resumes on cannot be removed without a replacement; a switch naming it applies', async () => {
    const { customer, first, subscription } = await pausedOnCard();
    const refused = await remove(customer, first);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain(subscription);
    const other = await attachedCard(customer);
    await nextSecond();
    const accepted = await makeDefault(customer, other, { subscription });
    expect(accepted.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await defaultsOf(stack.stripe, customer, subscription)).subscriptionDefault).toBe(other);
  });
});

describe('what Checkout is asked to offer', () => {
  const sessionParams = () =>
    stack.stripeStandIn.requests
      .filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')
      .at(-1)?.params as Record<string, unknown> | undefined;

  it('keeps only types Checkout can save from payment_settings.payment_method_types (Sessions.d.ts AllowedPaymentMethodType)', async () => {
    expect(
      checkoutSaveableTypes([
        'card',
        'ach_credit_transfer',
        'ach_debit',
        'custom',
        'jp_credit_transfer',
        'sepa_credit_transfer',
        'customer_balance',
        'sepa_debit',
      ]),
    ).toEqual(['card', 'sepa_debit']);
    const customer = (await stack.stripe.customers.create({})).id;
    const mixed = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_basic' }],
      payment_settings: { payment_method_types: ['card', 'customer_balance', 'ach_credit_transfer'] },
    });
    const created = await postJson(api('/checkout-sessions'), { customer, subscription: mixed.id });
    expect(created.status).toBe(201);
    expect(sessionParams()?.allowed_payment_method_types).toEqual(['card']);
    const onlyBalance = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_basic' }],
      payment_settings: { payment_method_types: ['customer_balance'] },
    });
    const refused = await postJson(api('/checkout-sessions'), { customer, subscription: onlyBalance.id });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('subscription_methods_not_saveable');
  });

  it('a CAD session asks for an ACSS mandate that is the default for invoices and subscriptions', async () => {
    const customer = (await stack.stripe.customers.create({})).id;
    const subscription = await stack.stripe.subscriptions.create({
      customer,
      currency: 'cad',
      items: [{ price: 'price_basic' }],
    });
    expect(
      (await postJson(api('/checkout-sessions'), { customer, subscription: subscription.id })).status,
    ).toBe(201);
    expect(sessionParams()?.payment_method_options).toEqual({
      acss_debit: { currency: 'cad', mandate_options: { default_for: ['invoice', 'subscription'] } },
    });
  });
});

describe('detaching a method that was detached meanwhile (PaymentMethods.d.ts `detach`: no documented code)', () => {
  it('the removal reads the method again instead of trusting an error code; applied, nothing left attached', async () => {
    const customer = (await stack.stripe.customers.create({})).id;
    const card = await attachedCard(customer);
    await stack.stripe.customers.update(customer, {
      invoice_settings: { default_payment_method: await attachedCard(customer) },
    });
    await nextSecond();
    const accepted = await remove(customer, card);
    expect(accepted.status).toBe(202);
    // The worker's detach is held back while someone else detaches the same method.
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`/v1/payment_methods/${card}/detach$`),
      latencyMs: 400,
    });
    const drained = stack.drainQueue({ retryDelaySeconds: 0 });
    while (stack.stripeStandIn.faults.list().length > 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await stack.stripe.paymentMethods.detach(card);
    await drained;
    expect(await changeStatus(customer, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
  });
});
