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

// Stripe's test cards (docs.stripe.com/testing): 4000 0000 0000 0341 saves, but charging it is declined; a
// bank debit (SEPA) leaves the invoice open while the payment processes (docs.stripe.com/invoicing).
describe('paying the open invoice: what Stripe answered, once', () => {
  async function pastDueSetup(options: { card?: string; bankDebit?: boolean }) {
    const worker = wireSetupWorker({ ...stack.env, EVENT_BUS_NAME: 'saas-events', PAY_OPEN_INVOICE: 'true' });
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const invoice = stack.stripeStandIn.makeSubscriptionPastDue(subscription.id, 4900);
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: customer.id,
      subscription: subscription.id,
    });
    const completed = await completeSession(stack.stripeStandIn, created.json.id, {
      ...(options.card ? { card: options.card } : {}),
      ...(options.bankDebit ? { setupIntentStatus: 'processing' as const } : {}),
    });
    if (options.bankDebit) await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded');
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    eventBridge.entries.length = 0;
    const drain = () => drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    return { invoice, subscription, completed, drain };
  }
  const detail = () => JSON.parse(eventBridge.entries.at(-1)?.Detail ?? '{}');
  const payments = (invoiceId: string) =>
    stack.stripeStandIn.requests.filter(
      (request) => request.path === `/v1/invoices/${invoiceId}/pay` && request.effect,
    ).length;

  it('a card that fails when charged: the setup applies, the payment is reported declined', async () => {
    const { invoice, drain } = await pastDueSetup({ card: '4000000000000341' });
    await drain();
    expect(detail()).toMatchObject({
      status: 'applied',
      invoicePayment: { invoiceId: invoice.id, status: 'failed', failureCode: 'generic_decline' },
    });
    expect((await stack.stripe.invoices.retrieve(invoice.id)).status).toBe('open');
  });

  it('a bank debit: reported processing, not paid, and a redelivery after a lost answer pays nothing more', async () => {
    const { invoice, drain } = await pastDueSetup({ bankDebit: true });
    // The payment goes through but every answer to it is lost: the worker's message comes back.
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`^/v1/invoices/${invoice.id}/pay$`),
      status: 'reset',
      phase: 'after',
      times: 3,
    });
    await drain();
    expect(payments(invoice.id)).toBe(1);
    expect(detail()).toMatchObject({
      status: 'applied',
      invoicePayment: { invoiceId: invoice.id, status: 'processing' },
    });
    expect((await stack.stripe.invoices.retrieve(invoice.id)).status).toBe('open');
  });

  // A 400 idempotency_error (a key reused with other parameters) is refused the same way every time
  // (docs.stripe.com/api/idempotent_requests): reported as the payment's outcome, never retried without end.
  it('an idempotency error while paying is the payment’s failure, reported once; the setup applies', async () => {
    const { invoice, drain } = await pastDueSetup({});
    stack.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`^/v1/invoices/${invoice.id}/pay$`),
      status: 'idempotency_error',
      times: 1,
    });
    await drain();
    expect(detail()).toMatchObject({
      status: 'applied',
      invoicePayment: { status: 'failed', failureCode: 'idempotency_error' },
    });
  });
});
