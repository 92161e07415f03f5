import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { completeSession } from '../support/checkout';
import { type EventBridgeStandIn, startEventBridgeStandIn } from '../support/eventbridge-stand-in';
import { customerWithSubscription } from '../support/fixtures';
import { postJson } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

let stack: ServiceStack;
let eventBridge: EventBridgeStandIn;

beforeAll(async () => {
  [stack, eventBridge] = await Promise.all([startServiceStack(), startEventBridgeStandIn()]);
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;
});
afterAll(async () => {
  await Promise.all([stack.close(), eventBridge.close()]);
});

async function pastDueCustomerUpdatesCard(payOpenInvoice: boolean) {
  const worker = wireSetupWorker({
    ...stack.env,
    EVENT_BUS_NAME: 'saas-events',
    PAY_OPEN_INVOICE: String(payOpenInvoice),
  });
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const invoice = stack.stripeStandIn.makeSubscriptionPastDue(subscription.id, 4900);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  const completed = await completeSession(stack.stripeStandIn, created.json.id);
  await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
  eventBridge.entries.length = 0;
  await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
  return {
    invoice: await stack.stripe.invoices.retrieve(invoice.id),
    subscription: await stack.stripe.subscriptions.retrieve(subscription.id),
    detail: JSON.parse(eventBridge.entries[0]?.Detail ?? '{}'),
    paymentMethodId: completed.paymentMethod.id,
  };
}

describe('past-due subscriptions (PAY_OPEN_INVOICE, opt-in)', () => {
  it('with the option on, the open invoice is paid with the new default and the outcome event says so', async () => {
    const { invoice, subscription, detail, paymentMethodId } = await pastDueCustomerUpdatesCard(true);
    expect(invoice.status).toBe('paid');
    expect(subscription.status).toBe('active');
    expect(subscription.default_payment_method).toBe(paymentMethodId);
    expect(detail).toMatchObject({
      status: 'applied',
      invoicePayment: { invoiceId: invoice.id, status: 'paid' },
    });
  });

  it('with the option off (the default), the invoice is left for Stripe’s own retries', async () => {
    const { invoice, subscription, detail } = await pastDueCustomerUpdatesCard(false);
    expect(invoice.status).toBe('open');
    expect(subscription.status).toBe('past_due');
    expect(detail.status).toBe('applied');
    expect(detail).not.toHaveProperty('invoicePayment');
  });
});
