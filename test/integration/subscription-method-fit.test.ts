import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { defaultsOf } from '../support/fixtures';
import { postJson } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * A subscription is moved to a new default only if that method can pay it. Oracles: Subscriptions.d.ts
 * `payment_settings.payment_method_types` ("The list of payment method types … to provide to the invoice's
 * PaymentIntent"), and each bank debit's currencies (https://docs.stripe.com/payments/payment-methods/overview:
 * SEPA Direct Debit EUR only, ACH Direct Debit USD only). What was not moved is in the outcome
 * (`subscriptionsSkipped`), never only in a log line while the outcome says `applied`.
 */

const running = useStackWithOutcomes();
const stack = () => running.stack;
const { api, makeDefault, changeStatus, nextSecond } = savedMethodRequests(stack);
const items = [{ price: 'price_basic' }];

function outcomeWorker() {
  const worker = wireSetupWorker({ ...stack().env, EVENT_BUS_NAME: 'saas-events' });
  return () => drainQueue(stack().sqs.client, stack().sqs.queueUrl, worker, { retryDelaySeconds: 0 });
}

/** An EUR subscription paid by the SEPA Direct Debit method Stripe generates from an iDEAL setup. */
async function eurSubscriptionOnSepa(customer: string) {
  const subscription = await stack().stripe.subscriptions.create({ customer, currency: 'eur', items });
  await nextSecond();
  const created = await postJson(api('/checkout-sessions'), { customer, subscription: subscription.id });
  const completed = await completeSession(stack().stripeStandIn, created.json.id, { bankRedirect: 'ideal' });
  await deliverSignedEvent(stack().webhookUrl, completed.event, stack().stripeStandIn.webhookSecret);
  await stack().drainQueue({ retryDelaySeconds: 0 });
  const sepa = (await defaultsOf(stack().stripe, customer, subscription.id)).subscriptionDefault as string;
  expect((await stack().stripe.paymentMethods.retrieve(sepa)).type).toBe('sepa_debit');
  return { subscription: subscription.id, sepa };
}

describe('follow respects what a subscription can be paid with', () => {
  it('an EUR subscription on SEPA does not follow a US bank account default; the outcome says so', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const { subscription, sepa } = await eurSubscriptionOnSepa(customer);
    // A new default without a subscription, in USD: a US bank account, verified by micro-deposits.
    await nextSecond();
    const created = await postJson(api('/checkout-sessions'), { customer, currency: 'usd' });
    const completed = await completeSession(stack().stripeStandIn, created.json.id, {
      setupIntentStatus: 'requires_action',
    });
    expect(completed.paymentMethod.type).toBe('us_bank_account');
    await stack().stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded');
    await deliverSignedEvent(stack().webhookUrl, completed.event, stack().stripeStandIn.webhookSecret);
    running.eventBridge.entries.length = 0;
    await outcomeWorker()();

    expect(await defaultsOf(stack().stripe, customer, subscription)).toEqual({
      customerDefault: completed.paymentMethod.id,
      subscriptionDefault: sepa,
    });
    const skipped = [{ id: subscription, reason: 'currency_not_supported' }];
    const details = running.eventBridge.entries.map((entry) => JSON.parse(entry.Detail));
    expect(details.at(-1)).toMatchObject({ status: 'applied', subscriptionsSkipped: skipped });
    expect(details.at(-1)).not.toHaveProperty('subscriptionsMoved');
    expect(await stack().records.get(completed.setupIntent.id)).toMatchObject({
      subscriptionsSkipped: skipped,
    });
  });

  it('subscription "all": a subscription whose payment_method_types leave cards out keeps its method, and the change status lists it', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const card = (await stack().stripe.paymentMethods.attach('pm_card_visa', { customer })).id;
    const sepaOnly = (
      await stack().stripe.subscriptions.create({
        customer,
        currency: 'eur',
        items,
        payment_settings: { payment_method_types: ['sepa_debit'] },
      })
    ).id;
    const open = (await stack().stripe.subscriptions.create({ customer, items })).id;
    await nextSecond();
    const accepted = await makeDefault(customer, card, { subscription: 'all' });
    expect(accepted.status).toBe(202);
    await outcomeWorker()();
    expect(await changeStatus(customer, accepted.json.statusUrl)).toMatchObject({
      status: 'applied',
      subscriptionsMoved: [open],
      subscriptionsSkipped: [{ id: sepaOnly, reason: 'payment_method_type_not_allowed' }],
    });
    expect((await stack().stripe.subscriptions.retrieve(sepaOnly)).default_payment_method).toBeNull();
  });

  it('a switch naming a subscription the method cannot pay answers 422 at once, and nothing is queued', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const card = (await stack().stripe.paymentMethods.attach('pm_card_visa', { customer })).id;
    const sepaOnly = await stack().stripe.subscriptions.create({
      customer,
      currency: 'eur',
      items,
      payment_settings: { payment_method_types: ['sepa_debit'] },
    });
    const refused = await makeDefault(customer, card, { subscription: sepaOnly.id });
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({ code: 'payment_method_not_accepted' });
    expect(refused.json.error.message).toContain('sepa_debit');
    expect(await stack().queueDepth()).toBe(0);
  });

  it('a removal whose replacement cannot pay a subscription on the removed method answers 422', async () => {
    const customer = (await stack().stripe.customers.create({})).id;
    const { subscription, sepa } = await eurSubscriptionOnSepa(customer);
    const card = (await stack().stripe.paymentMethods.attach('pm_card_visa', { customer })).id;
    await stack().stripe.subscriptions.update(subscription, {
      payment_settings: { payment_method_types: ['sepa_debit'] },
    });
    const answer = await fetch(api(`/payment-methods/${sepa}?customer=${customer}&replaceWith=${card}`), {
      method: 'DELETE',
    });
    expect(answer.status).toBe(422);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
      'payment_method_not_accepted',
    );
    expect((await stack().stripe.paymentMethods.retrieve(sepa)).customer).toBe(customer);
  });
});
