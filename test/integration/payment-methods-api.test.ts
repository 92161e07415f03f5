import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { sqsEventWith } from '../support/bad-input-cases/queue';
import { defaultsOf } from '../support/fixtures';
import { send } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * See, switch and remove saved methods, over real HTTP to the session API, through the real queue and
 * worker, against the Stripe stand-in. Oracles: Customers.d.ts `listPaymentMethods` / `retrievePaymentMethod`
 * (paging; another customer's method is "No such PaymentMethod"), PaymentMethods.d.ts `detach`,
 * Subscriptions.d.ts (a subscription's own default wins over the customer's).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.stripeStandIn.faults.clear());

const { api, makeDefault, remove, changeStatus, customerWithTwoCards, nextSecond } = savedMethodRequests(
  () => stack,
);

describe('GET /payment-methods', () => {
  it('lists the saved methods, the customer default and who each one pays, paged as Stripe pages', async () => {
    const { customerId, subscriptionId, first, second } = await customerWithTwoCards();
    const listed = await send(api(`/payment-methods?customer=${customerId}`));
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({
      hasMore: false,
      nextStartingAfter: null,
      customerDefault: second,
      subscriptions: [
        { id: subscriptionId, status: 'active', paymentMethod: second, source: 'subscription' },
      ],
    });
    // Newest first, as Stripe lists.
    expect(listed.json.data).toEqual([
      {
        id: second,
        type: 'card',
        created: expect.any(Number),
        card: {
          brand: 'mastercard',
          last4: '4444',
          expMonth: expect.any(Number),
          expYear: expect.any(Number),
        },
        // Saved through the service: Checkout may show it to the customer again.
        allowRedisplay: 'always',
        isCustomerDefault: true,
        pays: [subscriptionId],
      },
      expect.objectContaining({ id: first, isCustomerDefault: false, pays: [] }),
    ]);

    const page1 = await send(api(`/payment-methods?customer=${customerId}&limit=1`));
    expect(page1.json).toMatchObject({ hasMore: true, nextStartingAfter: second });
    expect(page1.json.data.map((m: { id: string }) => m.id)).toEqual([second]);
    const page2 = await send(api(`/payment-methods?customer=${customerId}&limit=1&starting_after=${second}`));
    expect(page2.json).toMatchObject({ hasMore: false, nextStartingAfter: null });
    expect(page2.json.data.map((m: { id: string }) => m.id)).toEqual([first]);
  });

  it('a cursor naming another customer’s method is refused as Stripe refuses it', async () => {
    const { customerId } = await customerWithTwoCards();
    const other = await customerWithTwoCards();
    const listed = await send(api(`/payment-methods?customer=${customerId}&starting_after=${other.first}`));
    expect(listed.status).toBe(404);
    expect(listed.json.error.code).toBe('resource_missing');
  });
});

describe('POST /payment-methods/{id}/default', () => {
  it('switches back to an earlier card through the queue: 202, then applied, and the subscription follows', async () => {
    const { customerId, subscriptionId, first } = await customerWithTwoCards();
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    expect(accepted.status).toBe(202);
    // Absolute, on the API's own origin: a frontend elsewhere resolves a relative URL against its own host
    // (RFC 9110 §10.2.2 allows a relative Location, which is exactly what misleads a cross-origin caller).
    expect(accepted.json).toEqual({
      id: expect.stringMatching(/^chg_/),
      status: 'queued',
      statusUrl: `${stack.api.url}/payment-methods/changes/${accepted.json.id}`,
    });
    expect(accepted.headers.get('location')).toBe(accepted.json.statusUrl);
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'queued' });

    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    // The subscription was on the replaced method (Subscriptions.d.ts: its own default wins), so it moved.
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toEqual({
      id: accepted.json.id,
      action: 'make_default',
      status: 'applied',
      paymentMethod: first,
      replacement: null,
      subscription: null,
      subscriptionsMoved: [subscriptionId],
      subscriptionsSkipped: [],
      updatedAt: expect.any(String),
    });
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: first,
      subscriptionDefault: first,
    });
  });

  it('"all" sets every chargeable subscription; one canceled meanwhile is skipped, not failed', async () => {
    const { customerId, subscriptionId, first } = await customerWithTwoCards();
    const kept = await stack.stripe.subscriptions.create({
      customer: customerId,
      items: [{ price: 'price_x' }],
    });
    const canceled = await stack.stripe.subscriptions.create({
      customer: customerId,
      items: [{ price: 'price_y' }],
    });
    await nextSecond();
    const accepted = await makeDefault(customerId, first, { subscription: 'all' });
    expect(accepted.status).toBe(202);
    await stack.stripe.subscriptions.cancel(canceled.id);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
    for (const id of [subscriptionId, kept.id]) {
      expect((await stack.stripe.subscriptions.retrieve(id)).default_payment_method).toBe(first);
    }
    expect((await stack.stripe.subscriptions.retrieve(canceled.id)).default_payment_method).toBeNull();
  });

  it('a named subscription canceled meanwhile: the customer default changes, the change says failed and why', async () => {
    const { customerId, subscriptionId, first } = await customerWithTwoCards();
    await nextSecond();
    const accepted = await makeDefault(customerId, first, { subscription: subscriptionId });
    await stack.stripe.subscriptions.cancel(subscriptionId);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({
      status: 'failed',
      failureCode: expect.any(String),
    });
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(first);
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a method detached meanwhile: failed, nothing changed', async () => {
    const { customerId, subscriptionId, first, second } = await customerWithTwoCards();
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    await stack.stripe.paymentMethods.detach(first);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({
      status: 'failed',
      failureCode: 'resource_missing',
    });
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: second,
      subscriptionDefault: second,
    });
  });

  it('another customer’s method answers 404 exactly like a missing one, and nothing is queued', async () => {
    const { customerId } = await customerWithTwoCards();
    const other = await customerWithTwoCards();
    const foreign = await makeDefault(customerId, other.first);
    const missing = await makeDefault(customerId, 'pm_doesnotexist0000000000');
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({
      error: { code: 'payment_method_not_found', message: `Payment method ${other.first} was not found.` },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe(foreign.json.error.code);
    expect(await stack.queueDepth()).toBe(0);
    // Nor can the other customer's change be read.
    await nextSecond();
    const theirs = await makeDefault(other.customerId, other.first);
    expect((await send(`${theirs.json.statusUrl}?customer=${customerId}`)).status).toBe(404);
    await stack.drainQueue({ retryDelaySeconds: 0 });
  });

  it('a duplicate delivery of a change has one effect', async () => {
    const { customerId, first } = await customerWithTwoCards();
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    const received = await stack.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: stack.sqs.queueUrl, MaxNumberOfMessages: 1 }),
    );
    const message = received.Messages?.[0];
    const body = message?.Body as string;
    await stack.sqs.client.send(
      new DeleteMessageCommand({ QueueUrl: stack.sqs.queueUrl, ReceiptHandle: message?.ReceiptHandle }),
    );
    stack.stripeStandIn.clearRequests();
    const worker = wireSetupWorker(stack.env);
    const results = await Promise.all([worker(sqsEventWith(body)), worker(sqsEventWith(body))]);
    await worker(sqsEventWith(body));
    // A worker that found the other's live claim hands its message back; the claim holder applies it once.
    expect(results.flatMap((r) => r.batchItemFailures).length).toBeLessThanOrEqual(1);
    expect(stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/customers/${customerId}$`))).toBe(1);
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
  });
});

describe('DELETE /payment-methods/{id}', () => {
  it('refuses with 409 naming the subscription when the method is in use, and changes nothing', async () => {
    const { customerId, subscriptionId, second } = await customerWithTwoCards();
    const refused = await remove(customerId, second);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('payment_method_in_use');
    expect(refused.json.error.message).toContain(subscriptionId);
    expect(refused.json.error.message).toContain('customer');
    expect(await stack.queueDepth()).toBe(0);
    expect((await stack.stripe.paymentMethods.retrieve(second)).customer).toBe(customerId);
  });

  it('removes a method nothing uses: 202, then detached', async () => {
    const { customerId, first } = await customerWithTwoCards();
    const accepted = await remove(customerId, first);
    expect(accepted.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({
      action: 'remove',
      status: 'applied',
      paymentMethod: first,
      replacement: null,
    });
    expect((await stack.stripe.paymentMethods.retrieve(first)).customer).toBeNull();
  });

  it('with replaceWith: the replacement becomes the default first, then the method is detached', async () => {
    const { customerId, subscriptionId, first, second } = await customerWithTwoCards();
    await nextSecond();
    const accepted = await remove(customerId, second, first);
    expect(accepted.status).toBe(202);
    stack.stripeStandIn.clearRequests();
    await stack.drainQueue({ retryDelaySeconds: 0 });
    // One meaning for paymentMethod: the method removed, whether or not a replacement was named.
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({
      action: 'remove',
      status: 'applied',
      paymentMethod: second,
      replacement: first,
    });
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: first,
      subscriptionDefault: first,
    });
    expect((await stack.stripe.paymentMethods.retrieve(second)).customer).toBeNull();
    const updates = stack.stripeStandIn.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    // In that order: no invoice can find the customer without a method.
    expect(updates).toContain(`/v1/customers/${customerId}`);
    expect(updates.indexOf(`/v1/customers/${customerId}`)).toBeLessThan(
      updates.indexOf(`/v1/payment_methods/${second}/detach`),
    );
  });

  it('another customer’s method answers 404, like a missing one', async () => {
    const { customerId } = await customerWithTwoCards();
    const other = await customerWithTwoCards();
    const foreign = await remove(customerId, other.first);
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe('payment_method_not_found');
    expect((await stack.stripe.paymentMethods.retrieve(other.first)).customer).toBe(other.customerId);
  });
});

describe('detachReplaced (opt-in)', () => {
  it('a switch detaches the replaced method once no default uses it', async () => {
    const worker = wireSetupWorker({ ...stack.env, DETACH_REPLACED: 'true' });
    const { customerId, subscriptionId, first, second } = await customerWithTwoCards();
    await nextSecond();
    await makeDefault(customerId, first);
    const { drainQueue } = await import('../../dev/local-aws/sqs-event-source');
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: first,
      subscriptionDefault: first,
    });
    expect((await stack.stripe.paymentMethods.retrieve(second)).customer).toBeNull();
  });
});
