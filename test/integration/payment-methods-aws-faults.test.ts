import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { answeredWritesTo, awsFaultsOf } from '../support/stand-in-requests';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * Switches under the AWS faults of issue 17, answered by the fault-injecting proxy in AWS's own wire format
 * (test/support/aws-fault-answers.ts names the oracles): the same exactly-once guarantees as a setup. The
 * DynamoDB client makes 3 attempts in all, so three faults in a row exhaust it.
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    awsFaults: true,
    queue: { fifo: true, maxReceiveCount: 5, visibilityTimeoutSeconds: 360 },
    env: { CLAIM_SECONDS: '120' },
  });
});
afterAll(() => stack.close());
afterEach(async () => {
  faults().stop();
  await stack.drainQueue({ retryDelaySeconds: 0 });
});

const faults = () => awsFaultsOf(stack);
const dynamodb = () => faults().proxies.dynamodb;

/** Stripe updates that went through (200, not an idempotent replay): the writes a SaaS hears about. */
const writesTo = (path: string) => answeredWritesTo(stack.stripeStandIn, path);

/** A first card set on the customer and its subscription by a setup, and a second card saved beside it. */
async function customerWithSecondCard() {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  const completion = await completeSession(stack.stripeStandIn, created.json.id);
  await deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);
  expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
  const second = await stack.stripe.paymentMethods.create({
    type: 'card',
    card: { token: 'tok_mastercard' },
  });
  await stack.stripe.paymentMethods.attach(second.id, { customer: customer.id });
  // Requested in a later second than the setup's card was saved, so the switch is the newer of the two.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  return { customerId: customer.id, subscriptionId: subscription.id, second: second.id };
}

const makeDefault = (customerId: string, paymentMethodId: string) =>
  postJson(`${stack.api.url}/payment-methods/${paymentMethodId}/default`, { customer: customerId });

describe('a switch whose checkpoint writes are lost past the SDK retries', () => {
  it.each([
    ['the customer’s owner record', 'customer'],
    ['the following subscription’s owner record', 'subscription'],
  ])('%s: the retry learns from Stripe what is set; each default is updated once', async (_name, kind) => {
    const { customerId, subscriptionId, second } = await customerWithSecondCard();
    const accepted = await makeDefault(customerId, second);
    expect(accepted.status).toBe(202);
    stack.stripeStandIn.clearRequests();
    const ownerKey = `${kind}_default#${kind === 'customer' ? customerId : subscriptionId}`;
    const injectedBefore = dynamodb().injected.length;
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: [ownerKey], fault: 'internal', times: 3 });

    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });

    expect(dynamodb().injected.length - injectedBefore).toBe(3);
    expect(writesTo(`/v1/customers/${customerId}`)).toBe(1);
    expect(writesTo(`/v1/subscriptions/${subscriptionId}`)).toBe(1);
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: second,
      subscriptionDefault: second,
    });
    const status = await send(`${accepted.json.statusUrl}?customer=${customerId}`);
    expect(status.json).toMatchObject({ status: 'applied', paymentMethod: second });
    // Both checkpoints name the switch, so no older setup can take either default back.
    const owners = await stack.records.defaultOwners([
      { kind: 'customer', id: customerId },
      { kind: 'subscription', id: subscriptionId },
    ]);
    expect([...owners.values()].map((owner) => owner.setupIntentId)).toEqual([
      accepted.json.id,
      accepted.json.id,
    ]);
  });
});

describe('a switch’s change record written whose answer was lost', () => {
  it('is the writer’s own record: the switch is accepted (202), not refused, and applied', async () => {
    const { customerId, second } = await customerWithSecondCard();
    const injectedBefore = dynamodb().injected.length;
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: ['default_change#'], fault: 'lost_answer' });
    const accepted = await makeDefault(customerId, second);
    expect(
      dynamodb()
        .injected.slice(injectedBefore)
        .map((fault) => fault.fault),
    ).toEqual(['lost_answer']);
    expect(accepted.status).toBe(202);
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(second);
  });
});

describe('the saved-method routes while DynamoDB throttles past the SDK retries', () => {
  it('a switch answers 503 with Retry-After and queues nothing; the same request then succeeds', async () => {
    const { customerId, second } = await customerWithSecondCard();
    dynamodb().add({
      operation: 'UpdateItem',
      bodyIncludes: ['default_change#'],
      fault: 'throughput_exceeded',
      times: 3,
    });
    const refused = await makeDefault(customerId, second);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.error.code).toBe('service_unavailable');
    expect(await stack.queueDepth()).toBe(0);

    const accepted = await makeDefault(customerId, second);
    expect(accepted.status).toBe(202);
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(second);
  });
});
