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
let worker: ReturnType<typeof wireSetupWorker>;

beforeAll(async () => {
  [stack, eventBridge] = await Promise.all([startServiceStack(), startEventBridgeStandIn()]);
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;
  worker = wireSetupWorker({ ...stack.env, EVENT_BUS_NAME: 'saas-events' });
});
afterAll(async () => {
  await Promise.all([stack.close(), eventBridge.close()]);
});
beforeEach(() => {
  eventBridge.entries.length = 0;
});

async function deliveredSetup(setupIntentStatus?: 'processing') {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  const completed = await completeSession(
    stack.stripeStandIn,
    created.json.id,
    setupIntentStatus ? { setupIntentStatus } : {},
  );
  await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
  return { customer, subscription, completed };
}

const detailOf = (index: number) => JSON.parse(eventBridge.entries[index]?.Detail ?? '{}');

describe('outcome events on the SaaS’s EventBridge bus', () => {
  it('an applied setup publishes one event with what changed', async () => {
    const { customer, subscription, completed } = await deliveredSetup();
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    expect(eventBridge.entries).toHaveLength(1);
    expect(eventBridge.entries[0]).toMatchObject({
      EventBusName: 'saas-events',
      Source: 'stripe-setup-mode-service',
      DetailType: 'Payment method set as default',
    });
    expect(detailOf(0)).toMatchObject({
      status: 'applied',
      setupIntentId: completed.setupIntent.id,
      sessionId: completed.session.id,
      customerId: customer.id,
      subscriptionId: subscription.id,
      paymentMethodId: completed.paymentMethod.id,
      customerDefault: 'applied',
      subscriptionDefault: 'applied',
    });
  });

  it('a pending setup publishes a pending event, again for a duplicate delivery (at least once)', async () => {
    const { completed } = await deliveredSetup('processing');
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    // The duplicate reclaims the pending setup and finds it still pending: the SaaS hears it again, at least once.
    expect(eventBridge.entries.map((entry) => entry.DetailType)).toContain('Payment method pending');
    expect(eventBridge.entries.every((entry) => entry.DetailType === 'Payment method pending')).toBe(true);
  });

  it('when EventBridge is down the message is retried, not lost, and Stripe is not called twice', async () => {
    const { customer } = await deliveredSetup();
    eventBridge.failNext(5);
    stack.stripeStandIn.clearRequests();
    const drained = await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    expect(drained.failed).toBeGreaterThanOrEqual(1);
    expect(eventBridge.entries).toHaveLength(1);
    expect(stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/customers/${customer.id}$`))).toBe(1);
  });
});

describe('what an outcome event may say', () => {
  it('a failure carries the service’s own words, never Stripe’s message text or ids from it', async () => {
    // Stripe's error message is for the developer and may change (https://docs.stripe.com/api/errors:
    // "message: A human-readable message providing more details about the error"); the SaaS branches on
    // failureCode. A method detached before the worker runs makes Stripe answer "No such PaymentMethod: 'pm_…'".
    const { completed } = await deliveredSetup();
    await stack.stripe.paymentMethods.detach(completed.paymentMethod.id);
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    const failures = eventBridge.entries
      .map((entry) => JSON.parse(entry.Detail))
      .filter((d) => d.status === 'failed');
    expect(failures.length).toBeGreaterThan(0);
    for (const detail of failures) {
      expect(detail.failureCode).toEqual(expect.any(String));
      expect(detail.failureMessage ?? '').not.toMatch(/No such|pm_|resource_missing/);
    }
  });

  it('an unproven setup’s event names no customer taken from its metadata', async () => {
    // Metadata is whatever the session's creator wrote (Sessions.d.ts: "Set of key-value pairs that you can
    // attach to an object"): a customer-less SetupIntent whose metadata names a victim, without the proof.
    const { customer: victim } = await customerWithSubscription(stack.stripe);
    const metadata = { customer_id: victim.id, created_by: 'stripe-setup-mode-service' };
    const session = await stack.stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'usd',
      success_url: 'https://app.example.com/done',
      metadata,
      setup_intent_data: { metadata },
    });
    const completed = await completeSession(stack.stripeStandIn, session.id);
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    const details = eventBridge.entries.map((entry) => JSON.parse(entry.Detail));
    expect(details).toEqual([expect.objectContaining({ status: 'failed', failureCode: 'setup_unproven' })]);
    expect(details[0]).not.toHaveProperty('customerId');
    expect(JSON.stringify(details)).not.toContain(victim.id);
  });
});
