import { DECLINED_TEST_CARD } from '../../dev/stripe-stand-in';
import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { captureLogLines } from '../support/log-capture';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * What a newcomer reads in the logs of an ordinary save. Stripe's decline test card
 * (https://docs.stripe.com/testing#declined-payments) fails the attempt and leaves the session open for
 * another card: the customer's to retry, no operator's problem, so not an ERROR. One setup then reaches the
 * worker as checkout.session.completed, setup_intent.succeeded and the success page's status-path copy, and
 * Stripe may deliver each event more than once (https://docs.stripe.com/webhooks#handle-duplicate-events):
 * the copies after the first are expected and must not read as lost or duplicated webhooks.
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({ env: { LOG_LEVEL: 'info' } });
});
afterAll(() => stack.close());

const deliver = (event: unknown) =>
  deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret);

it('a declined card, then a good one, polled before its webhooks: no ERROR, no “lost” or “duplicate” wording', async () => {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const lines = await captureLogLines(async () => {
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: customer.id,
      subscription: subscription.id,
    });
    const sessionId = created.json.id as string;
    const declined = await stack.stripeStandIn.completeCheckoutSession(sessionId, {
      card: DECLINED_TEST_CARD,
    });
    await deliver(declined.event);
    await stack.drainQueue({ retryDelaySeconds: 0 });

    const completed = await completeSession(stack.stripeStandIn, sessionId);
    await send(`${stack.api.url}/checkout-sessions/${sessionId}`); // the success page, before any webhook
    for (const event of [...completed.events, ...completed.events]) await deliver(event);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await send(`${stack.api.url}/checkout-sessions/${sessionId}`)).json.defaultsApplied).toBe(true);
  });

  const messages = lines.filter((line) => typeof line.message === 'string');
  expect(messages.filter((line) => line.level === 'ERROR')).toEqual([]);
  const decline = messages.find(
    (line) => line.message === 'setup processed' && line.failureCode === 'card_declined',
  );
  expect(decline?.level).toBe('INFO');
  const texts = messages.map((line) => String(line.message));
  expect(texts.filter((text) => /not seen|lost|duplicate/i.test(text))).toEqual([]);
  expect(texts).toContain('setup queued by the status request, ahead of its webhook');
  expect(texts.filter((text) => text === 'setup processed')).toHaveLength(2); // the decline, then the card applied
});
