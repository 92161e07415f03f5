import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * Setups of one customer are ordered by when they succeeded. Oracles: a bank debit's SetupIntent is
 * `processing` after Checkout and succeeds later, with `setup_intent.succeeded` sent then
 * (https://docs.stripe.com/payments/sepa-debit/set-up-payment, "Confirm the SetupIntent succeeded"); an event's
 * `created` is "Time at which the object was created" (Events.d.ts), i.e. when the success happened, while a
 * SetupAttempt's `created` (SetupAttempts.d.ts) is when the method was submitted.
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    queue: { fifo: true, maxReceiveCount: 20, visibilityTimeoutSeconds: 30 },
  });
});
afterAll(() => stack.close());

async function newSession(customerId: string): Promise<string> {
  const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customerId });
  expect(created.status).toBe(201);
  return created.json.id;
}
const deliver = (event: unknown) =>
  deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret);
const statusOf = async (sessionId: string) =>
  (await send(`${stack.api.url}/checkout-sessions/${sessionId}`)).json;

describe('succeededAt: when the setup succeeded, not when its attempt was made', () => {
  it('a bank debit submitted before a card but succeeding after it becomes the default', async () => {
    const { customer } = await customerWithSubscription(stack.stripe);
    const debitSession = await newSession(customer.id);
    const debit = await completeSession(stack.stripeStandIn, debitSession, {
      setupIntentStatus: 'processing',
    });
    await deliver(debit.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await statusOf(debitSession)).processing.status).toBe('pending');

    stack.stripeStandIn.advanceClock(60);
    const cardSession = await newSession(customer.id);
    const card = await completeSession(stack.stripeStandIn, cardSession);
    await deliver(card.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(card.paymentMethod.id);

    // The bank confirms a day later: the debit succeeded last, so it is the newest setup.
    stack.stripeStandIn.advanceClock(24 * 60 * 60);
    const settled = await stack.stripeStandIn.settleSetupIntent(debit.setupIntent.id, 'succeeded', {
      deliverTo: stack.webhookUrl,
    });
    expect(settled.delivery?.status).toBe(200);
    await stack.drainQueue({ retryDelaySeconds: 0 });

    expect((await statusOf(debitSession)).processing.status).toBe('applied');
    expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(debit.paymentMethod.id);
  });
});
