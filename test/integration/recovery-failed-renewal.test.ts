import { WEBHOOK_EVENT_TYPES } from '../../functions/shared/flow/recovery/recovery-message';
import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { send } from '../support/http';
import {
  advanceClock,
  customerOnClock,
  DAY,
  deliver,
  drain,
  eventsSince,
  recoveryEvents,
  START,
} from '../support/recovery';

/*
 * A renewal that fails, closed by the update link. Oracles:
 * - https://docs.stripe.com/billing/testing/test-clocks and https://docs.stripe.com/billing/subscriptions/trials:
 *   at the trial's end the first paid invoice is created and charged about an hour later;
 * - https://docs.stripe.com/testing#declined-payments: 4000 0000 0000 0341 (`pm_card_chargeCustomerFail`)
 *   attaches, every charge is declined, `invoice.payment_failed` follows;
 * - https://docs.stripe.com/billing/subscriptions/webhooks#payment-failures: on `invoice.payment_failed`, ask
 *   the customer for a new method; paying the open invoice (`invoices.pay`) makes the subscription active.
 */
const running = useStackWithOutcomes();

describe('a renewal declined at the end of a trial', () => {
  it('emits one update-needed event with a link; the link leads to Checkout, pays the invoice, and then answers 410', async () => {
    const { stack } = running;
    const seen = new Set<string>();
    const { clock, customer } = await customerOnClock(stack.stripe, 'pm_card_chargeCustomerFail');
    const subscription = await stack.stripe.subscriptions.create({
      customer,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 7,
    });
    eventsSince(running, WEBHOOK_EVENT_TYPES as string[], seen);

    await advanceClock(running, clock, START + 7 * DAY + 2 * 3600);
    // Everything the endpoint is subscribed to, as Stripe would send it, each twice (Stripe may repeat).
    const events = eventsSince(running, WEBHOOK_EVENT_TYPES as string[], seen);
    expect(events.map((event) => event.type)).toContain('invoice.payment_failed');
    await deliver(running, [...events, ...events]);
    await drain(running);

    const needed = recoveryEvents(running, 'Payment method update needed');
    expect(needed).toHaveLength(1);
    const failedInvoice = (await stack.stripe.subscriptions.retrieve(subscription.id))
      .latest_invoice as string;
    expect(needed[0]).toMatchObject({
      customerId: customer,
      subscriptionId: subscription.id,
      reason: 'payment_failed',
      invoice: { id: failedInvoice, amountDue: 2000, currency: 'usd' },
    });
    expect(needed[0]?.invoice).toHaveProperty('nextPaymentAttempt', expect.any(String));
    const updateUrl = needed[0]?.updateUrl ?? '';
    expect(updateUrl.startsWith(`${stack.api.url}/u/`)).toBe(true);

    // No login: the link alone answers 303 to Checkout for that customer; a second open reuses the session.
    const opened = await send(updateUrl);
    expect(opened.status).toBe(303);
    const checkoutUrl = opened.headers.get('location') ?? '';
    const sessionId = checkoutUrl.split('/').at(-1) ?? '';
    expect((await stack.stripe.checkout.sessions.retrieve(sessionId)).customer).toBe(customer);
    expect((await send(updateUrl)).headers.get('location')).toBe(checkoutUrl);

    const completed = await completeSession(stack.stripeStandIn, sessionId, { card: '4242424242424242' });
    await deliver(running, [completed.event, completed.event]);
    await drain(running);

    const newCard = completed.paymentMethod.id;
    expect((await stack.stripe.invoices.retrieve(failedInvoice)).status).toBe('paid');
    const after = await stack.stripe.subscriptions.retrieve(subscription.id);
    expect(after).toMatchObject({ status: 'active', default_payment_method: newCard });
    const customerAfter = await stack.stripe.customers.retrieve(customer);
    expect(customerAfter).toMatchObject({ invoice_settings: { default_payment_method: newCard } });
    // The invoice was paid once, whatever the redeliveries.
    const payments = stack.stripeStandIn.requests.filter(
      (request) => request.path === `/v1/invoices/${failedInvoice}/pay` && request.effect,
    );
    expect(payments).toHaveLength(1);
    const applied = running.eventBridge.entries.find(
      (entry) => entry.DetailType === 'Payment method set as default',
    );
    expect(JSON.parse(applied?.Detail ?? '{}')).toMatchObject({
      invoicePayments: [{ invoiceId: failedInvoice, status: 'paid' }],
    });

    const again = await send(updateUrl);
    expect(again.status).toBe(410);
    expect(again.text).toContain('already been used');
  });
});
