import { completeSession, customerlessSetupSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

describe('the whole setup flow, on real stand-ins', () => {
  it('create → complete → signed webhook → queue → worker sets both defaults, and the status says applied', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: customer.id,
      subscription: subscription.id,
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^cs_test_/),
      url: expect.stringMatching(/^http/),
    });

    const before = await send(`${stack.api.url}/checkout-sessions/${created.json.id}`);
    expect(before.json).toMatchObject({
      status: 'open',
      defaultsApplied: false,
      processing: { status: 'not_started' },
    });

    const completion = await completeSession(stack.stripeStandIn, created.json.id, {
      deliverTo: stack.webhookUrl,
    });
    expect(completion.delivery?.status).toBe(200);
    expect(await stack.queueDepth()).toBe(1);

    stack.stripeStandIn.clearRequests();
    expect(await stack.drainQueue()).toEqual({ received: 1, failed: 0 });

    // The worker's Stripe calls: one retrieve of the SetupIntent (method and customer's default expanded),
    // the subscription's current default (its first setup here, so no owner record can say), and the updates.
    // No update of the method's `allow_redisplay`: the session asked Checkout to save it `always`.
    const calls = stack.stripeStandIn.requests.map((request) => `${request.method} ${request.path}`);
    expect(calls.sort()).toEqual(
      [
        `GET /v1/setup_intents/${completion.setupIntent.id}`,
        `GET /v1/subscriptions/${subscription.id}`,
        `POST /v1/customers/${customer.id}`,
        `POST /v1/subscriptions/${subscription.id}`,
      ].sort(),
    );
    expect((await stack.stripe.paymentMethods.retrieve(completion.paymentMethod.id)).allow_redisplay).toBe(
      'always',
    );

    const paymentMethodId = completion.paymentMethod.id;
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: paymentMethodId,
      subscriptionDefault: paymentMethodId,
    });

    const status = await send(`${stack.api.url}/checkout-sessions/${created.json.id}`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({
      id: created.json.id,
      status: 'complete',
      customer: customer.id,
      setupIntent: { status: 'succeeded' },
      paymentMethod: { id: paymentMethodId, type: 'card', brand: 'visa', last4: '4242' },
      defaultsApplied: true,
      appliedTo: { customer: customer.id, subscription: subscription.id, paymentMethod: paymentMethodId },
      processing: { status: 'applied' },
    });
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a session without a subscription sets only the customer default', async () => {
    const customer = await stack.stripe.customers.create({ email: 'solo@example.com' });
    const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id });
    expect(created.status).toBe(201);
    const completion = await completeSession(stack.stripeStandIn, created.json.id, {
      deliverTo: stack.webhookUrl,
    });
    stack.stripeStandIn.clearRequests();
    await stack.drainQueue();

    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/subscriptions/)).toBe(0);
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/customers\//)).toBe(1);
    expect((await defaultsOf(stack.stripe, customer.id)).customerDefault).toBe(completion.paymentMethod.id);
  });

  it('a SetupIntent without a customer gets its PaymentMethod attached first (the attach path)', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const created = await customerlessSetupSession(
      stack.stripe,
      stack.env.SETUP_PROOF_SECRET as string,
      customer.id,
      subscription.id,
    );
    const completion = await completeSession(stack.stripeStandIn, created.id, {
      deliverTo: stack.webhookUrl,
    });
    expect(completion.setupIntent.customer).toBeNull();
    stack.stripeStandIn.clearRequests();
    await stack.drainQueue();

    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/payment_methods\/pm_\w+\/attach$/)).toBe(1);
    // The SetupIntent; with no owner records yet, the customer's and the subscription's defaults as Stripe
    // holds them (the customer is not on the SetupIntent to expand); the attach; the two updates; and, since
    // this session (made outside the service) did not ask Checkout to save the method `always`, the worker's
    // own allow_redisplay update.
    expect(stack.stripeStandIn.requests).toHaveLength(7);
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/payment_methods\/pm_\w+$/)).toBe(1);
    const paymentMethod = await stack.stripe.paymentMethods.retrieve(completion.paymentMethod.id);
    expect(paymentMethod.customer).toBe(customer.id);
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: completion.paymentMethod.id,
      subscriptionDefault: completion.paymentMethod.id,
    });
  });
});
