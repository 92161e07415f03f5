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
