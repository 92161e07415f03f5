import { sqsEventWith } from '../support/bad-input-cases/queue';
import { completeSession } from '../support/checkout';
import { defaultsOf } from '../support/fixtures';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * "Newest wins" between switches and setups, and against defaults set outside the service, over real HTTP,
 * the real queue and worker, against the Stripe stand-in. Oracle for what a subscription pays:
 * Subscriptions.d.ts (its own default_payment_method wins over the customer's).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { makeDefault, changeStatus, customerWithTwoCards, createSession, nextSecond, setupBody } =
  savedMethodRequests(() => stack);

describe('switches where no owner record says who set the customer’s default', () => {
  /** Cards saved and made the default in Stripe directly (the Dashboard, the portal): no owner record. */
  async function cardSavedOutsideService(customerId: string, token: string, makeDefault: boolean) {
    const card = await stack.stripe.paymentMethods.create({ type: 'card', card: { token } });
    await stack.stripe.paymentMethods.attach(card.id, { customer: customerId });
    if (makeDefault)
      await stack.stripe.customers.update(customerId, {
        invoice_settings: { default_payment_method: card.id },
      });
    return card.id;
  }

  it('no owner record yet: a switch back to an older card is applied (the rollback check goes by the request time)', async () => {
    const customer = await stack.stripe.customers.create({});
    const older = await cardSavedOutsideService(customer.id, 'tok_visa', false);
    await cardSavedOutsideService(customer.id, 'tok_mastercard', true);
    await nextSecond();
    const accepted = await makeDefault(customer.id, older);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customer.id, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
    expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(older);
  });

  it('no owner record: a default put in place in Stripe after the switch was requested wins over it', async () => {
    const customer = await stack.stripe.customers.create({});
    const older = await cardSavedOutsideService(customer.id, 'tok_visa', true);
    const other = await cardSavedOutsideService(customer.id, 'tok_mastercard', false);
    const accepted = await makeDefault(customer.id, other);
    await nextSecond();
    const newer = await cardSavedOutsideService(customer.id, 'tok_amex', true);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customer.id, accepted.json.statusUrl)).toMatchObject({ status: 'superseded' });
    expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(newer);
    expect(newer).not.toBe(older);
  });
});

/*
 * "Newest wins" across both kinds of work: a switch counts from when it was requested, a setup from when its
 * method was saved (the successful SetupAttempt, setupOrderOf). Either may be processed first: the queue
 * keeps one customer's messages in order, but the status path or reconcile can apply a setup ahead of it.
 */
describe('a switch racing a setup for the same customer: the later one wins, in either processing order', () => {
  /** Processes the setup now (setupFirst) or after the queued switch, then everything queued. */
  async function processBoth(completed: Awaited<ReturnType<typeof completeSession>>, setupFirst: boolean) {
    if (setupFirst) await stack.worker(sqsEventWith(await setupBody(completed)));
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await stack.queueDepth()).toBe(0);
  }

  it.each([
    ['setup processed first', true],
    ['switch processed first', false],
  ])('a switch requested after the card of a setup was saved wins (%s)', async (_name, setupFirst) => {
    const { customerId, first } = await customerWithTwoCards();
    const sessionId = await createSession(customerId);
    const completed = await completeSession(stack.stripeStandIn, sessionId, { card: '378282246310005' });
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    await processBoth(completed, setupFirst);
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(first);
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
  });

  it.each([
    ['setup processed first', true, 'superseded'],
    ['switch processed first', false, 'applied'],
  ])(
    'a card saved after the switch was requested wins over it (%s)',
    async (_name, setupFirst, switchStatus) => {
      const { customerId, first } = await customerWithTwoCards();
      // The Checkout was opened before the switch; what counts is when its card was saved: after it.
      const sessionId = await createSession(customerId);
      await nextSecond();
      const accepted = await makeDefault(customerId, first);
      await nextSecond();
      const completed = await completeSession(stack.stripeStandIn, sessionId, { card: '378282246310005' });
      await processBoth(completed, setupFirst);
      expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(completed.paymentMethod.id);
      expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: switchStatus });
    },
  );
});
