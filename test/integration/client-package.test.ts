import {
  ApiError,
  createClient,
  type SetupModeClient,
  type SetupStatus,
} from '../../packages/client/src/index';
import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { openApiViolations } from '../support/openapi';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * packages/client over real HTTP against the local stack with JWT auth as deployed. Oracles: the API's own
 * OpenAPI document (every answer the client reads is checked against it here too), Stripe's
 * Subscriptions.d.ts (a subscription's own default wins, so it must follow) and PaymentMethods.d.ts `detach`.
 */

let stack: ServiceStack;
beforeAll(async () => {
  // A small status budget, so the 429 test can spend it; every other test polls far less for its customer.
  stack = await startServiceStack({ auth: true, env: { STATUS_REQUESTS_PER_CUSTOMER_PER_MINUTE: '20' } });
});
afterAll(() => stack.close());

/** fetch, with every answer of the API checked against docs/openapi.json as the rest of the suite does. */
const checkedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const violations = openApiViolations({
    method: init?.method ?? 'GET',
    url: String(input),
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.clone().text(),
  });
  if (violations.length > 0) throw new Error(violations.join('\n'));
  return response;
};

function clientFor(customerId: string): SetupModeClient {
  const issuer = stack.issuer;
  if (!issuer) throw new Error('the stack runs with auth');
  return createClient({
    baseUrl: stack.api.url,
    getToken: () => issuer.tokenFor(customerId),
    fetch: checkedFetch,
  });
}

/** Waits for a session's default while the worker runs: the first poll enqueues it, then the queue drains. */
async function settle(client: SetupModeClient, sessionId: string, seen: SetupStatus[] = []) {
  let firstPoll: () => void = () => undefined;
  const polled = new Promise<void>((resolve) => {
    firstPoll = resolve;
  });
  const waiting = client.waitForDefault(sessionId, {
    initialDelayMs: 50,
    onUpdate: (status) => {
      seen.push(status);
      firstPoll();
    },
  });
  await polled;
  await stack.drainQueue({ retryDelaySeconds: 0 });
  return waiting;
}

async function savedCard(client: SetupModeClient, card = '4242424242424242') {
  const session = await client.createSession();
  const completed = await completeSession(stack.stripeStandIn, session.id, { card });
  expect((await settle(client, session.id)).processing.status).toBe('applied');
  return { session, paymentMethod: completed.paymentMethod.id };
}

describe('packages/client against the local stack', () => {
  it('createSession → waitForDefault: polls with backoff until the method is the default', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const client = clientFor(customer.id);
    const session = await client.createSession({ subscription: subscription.id });
    const completed = await completeSession(stack.stripeStandIn, session.id);
    const seen: SetupStatus[] = [];
    const settled = await settle(client, session.id, seen);
    expect(settled.processing.status).toBe('applied');
    expect(settled.appliedTo).toMatchObject({
      paymentMethod: completed.paymentMethod.id,
      subscription: subscription.id,
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]?.processing.status).not.toBe('applied');
  });

  it('embedded_page: createSession answers a clientSecret for Stripe.js', async () => {
    const customer = await stack.stripe.customers.create({});
    const session = await clientFor(customer.id).createSession({
      uiMode: 'embedded_page',
      returnUrl: 'http://localhost:5173/return',
    });
    expect(session).toEqual({ id: expect.stringMatching(/^cs_test_/), clientSecret: expect.any(String) });
  });

  it('listPaymentMethods, makeDefault → waitForChange, remove: in use is an ApiError, replaceWith works', async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const client = clientFor(customer.id);
    const first = await savedCard(client);
    // Stripe orders setups by their SetupIntent's `created`, in whole seconds: the second starts a second later.
    const second = await new Promise((resolve) => setTimeout(resolve, 1_100)).then(() =>
      savedCard(client, '5555555555554444'),
    );

    const listed = await client.listPaymentMethods({ limit: 10 });
    expect(listed.data.map((method) => method.id).sort()).toEqual(
      [first.paymentMethod, second.paymentMethod].sort(),
    );
    expect(listed.customerDefault).toBe(second.paymentMethod);

    const inUse = await client.remove(second.paymentMethod).catch((error: unknown) => error);
    expect(inUse).toBeInstanceOf(ApiError);
    expect(inUse).toMatchObject({ status: 409, code: 'payment_method_in_use', retryable: false });

    const removal = await client.remove(second.paymentMethod, { replaceWith: first.paymentMethod });
    expect(removal.statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payment-methods\/changes\/chg_/);
    const waiting = client.waitForChange(removal, { initialDelayMs: 50 });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await waiting).toMatchObject({
      action: 'remove',
      status: 'applied',
      paymentMethod: second.paymentMethod,
      replacement: first.paymentMethod,
    });
    // No setup named the subscription, so it has no default of its own and charges the customer's.
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: first.paymentMethod,
      subscriptionDefault: null,
    });

    const switched = await client.makeDefault(first.paymentMethod, { subscription: subscription.id });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await client.waitForChange(switched.id, { initialDelayMs: 50 })).toMatchObject({
      action: 'make_default',
      paymentMethod: first.paymentMethod,
    });
  });

  it('an AbortSignal stops waiting at once, with the signal’s reason', async () => {
    const customer = await stack.stripe.customers.create({});
    const client = clientFor(customer.id);
    const session = await client.createSession();
    const controller = new AbortController();
    const waiting = client.waitForDefault(session.id, { signal: controller.signal, initialDelayMs: 5_000 });
    setTimeout(() => controller.abort(new Error('left the page')), 100);
    const started = Date.now();
    await expect(waiting).rejects.toThrow('left the page');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('API Gateway’s own 401 becomes an ApiError with the unauthenticated code', async () => {
    const client = createClient({ baseUrl: stack.api.url, getToken: () => 'not.a.jwt', fetch: checkedFetch });
    await expect(client.listPaymentMethods()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('over the status budget: an ApiError that says to retry, and after how long', async () => {
    const customer = await stack.stripe.customers.create({});
    const session = await clientFor(customer.id).createSession();
    // The stack's status budget (per caller per minute) is spent by polling past it, as a busy page would.
    let limited = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await checkedFetch(input, init);
      if (response.status === 429) limited++;
      return response;
    };
    const tokenOf = stack.issuer?.tokenFor.bind(stack.issuer) as (id: string) => Promise<string>;
    const busy = createClient({
      baseUrl: stack.api.url,
      getToken: () => tokenOf(customer.id),
      fetch: counting,
    });
    const reads = await Promise.allSettled(Array.from({ length: 30 }, () => busy.getSession(session.id)));
    const refused = reads.find((read) => read.status === 'rejected');
    expect(refused).toBeDefined();
    const error = (refused as PromiseRejectedResult).reason as ApiError;
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited).toBeGreaterThan(0);
  });
});
