import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent, setupMessageBody } from '../support/webhooks';

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());
afterEach(() => {
  stack.stripeStandIn.faults.clear();
  stack.stripeStandIn.setLatency(0);
});

async function completedSession(options: { setupIntentStatus?: 'processing' | 'succeeded' } = {}) {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  const completion = await completeSession(stack.stripeStandIn, created.json.id, options);
  return { customer, subscription, sessionId: created.json.id as string, completion };
}

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'TEST',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:setup-events',
    awsRegion: 'us-east-1',
  };
}

describe('setup worker', () => {
  // Stripe locks a customer with its subscriptions; concurrent writes to both can answer 429 lock_timeout
  // (https://docs.stripe.com/rate-limits#object-lock-timeouts). The stand-in holds that lock while it serves.
  it('the customer and subscription updates never contend for the customer’s lock', async () => {
    const { customer, subscription, completion } = await completedSession();
    await deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);
    stack.stripeStandIn.clearRequests();
    stack.stripeStandIn.setLatency(40);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(stack.stripeStandIn.requests.filter((request) => request.lockTimeout)).toEqual([]);
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: completion.paymentMethod.id,
      subscriptionDefault: completion.paymentMethod.id,
    });
  });

  it('the same event delivered 5 times, 3 of them at once, updates the customer and subscription once each', async () => {
    const { customer, subscription, completion } = await completedSession();
    const deliver = () =>
      deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);
    expect((await deliver()).status).toBe(200);
    expect((await deliver()).status).toBe(200);
    const concurrent = await Promise.all([deliver(), deliver(), deliver()]);
    expect(concurrent.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(await stack.queueDepth()).toBe(5);

    stack.stripeStandIn.clearRequests();
    stack.stripeStandIn.setLatency(30);
    // Five workers, one message each, all at once; the losers are redelivered and then see the work done.
    // Five workers polling at once, one message each, as five concurrent Lambda invocations would; the
    // losers give their message back and, redelivered, find the work done.
    const firstRound = await Promise.all(
      Array.from({ length: 5 }, () => stack.pollOnce({ batchSize: 1, retryDelaySeconds: 0 })),
    );
    expect(firstRound.reduce((sum, poll) => sum + poll.received, 0)).toBe(5);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await stack.queueDepth()).toBe(0);

    expect(stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/customers/${customer.id}$`))).toBe(1);
    expect(
      stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/subscriptions/${subscription.id}$`)),
    ).toBe(1);
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: completion.paymentMethod.id,
      subscriptionDefault: completion.paymentMethod.id,
    });
  });

  it('two workers handed the same session at the same moment: only one of them calls Stripe', async () => {
    const { completion } = await completedSession();
    const body = setupMessageBody(completion);
    stack.stripeStandIn.clearRequests();
    stack.stripeStandIn.setLatency(100);
    const [first, second] = await Promise.all([
      stack.worker({ Records: [sqsRecord('first', body)] }),
      stack.worker({ Records: [sqsRecord('second', body)] }),
    ]);

    expect(stack.stripeStandIn.countRequests('GET', /^\/v1\/setup_intents\//)).toBe(1);
    // The SetupIntent, the subscription's default as Stripe holds it (its first setup here: no owner
    // record to say who set it), and the two updates (Checkout saved the method `always`, as the session asked).
    expect(stack.stripeStandIn.requests).toHaveLength(4);
    // The loser gives its message back for later instead of dropping it; by then the work is done.
    const failures = [...(first?.batchItemFailures ?? []), ...(second?.batchItemFailures ?? [])];
    expect(failures).toHaveLength(1);
    const loser = failures[0]?.itemIdentifier ?? '';
    expect((await stack.worker({ Records: [sqsRecord(loser, body)] })).batchItemFailures).toEqual([]);
    expect(stack.stripeStandIn.requests).toHaveLength(4);
  });

  it('a SetupIntent not yet succeeded is recorded as pending, applies nothing, and is not redelivered forever', async () => {
    const { customer, subscription, sessionId, completion } = await completedSession({
      setupIntentStatus: 'processing',
    });
    await deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);
    stack.stripeStandIn.clearRequests();

    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect(await stack.queueDepth()).toBe(0);
    expect(stack.stripeStandIn.countRequests('POST', /.*/)).toBe(0);
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: null,
      subscriptionDefault: null,
    });
    const status = await send(`${stack.api.url}/checkout-sessions/${sessionId}`);
    expect(status.json).toMatchObject({
      setupIntent: { status: 'processing' },
      defaultsApplied: false,
      processing: { status: 'pending' },
    });
  });

  it('one failing record in a batch: only it is reported in batchItemFailures, and it succeeds on redelivery', async () => {
    const good = await completedSession();
    const bad = await completedSession();
    await deliverSignedEvent(stack.webhookUrl, good.completion.event, stack.stripeStandIn.webhookSecret);
    await deliverSignedEvent(stack.webhookUrl, bad.completion.event, stack.stripeStandIn.webhookSecret);
    // Stripe is down for this one session, through every retry the SDK makes.
    stack.stripeStandIn.faults.add({
      method: 'GET',
      path: new RegExp(bad.completion.setupIntent.id),
      status: 503,
      times: 3,
    });

    const batches: { event: SQSEvent; response: SQSBatchResponse }[] = [];
    const observedWorker = async (event: SQSEvent) => {
      const response = await stack.worker(event);
      batches.push({ event, response });
      return response;
    };
    await pollOnce(stack.sqs.client, stack.sqs.queueUrl, observedWorker, {
      batchSize: 10,
      retryDelaySeconds: 0,
    });
    const [batch] = batches;
    expect(batch?.event.Records).toHaveLength(2);
    const badRecord = batch?.event.Records.find((record) =>
      record.body.includes(bad.completion.setupIntent.id),
    );
    expect(batch?.response.batchItemFailures).toEqual([{ itemIdentifier: badRecord?.messageId }]);
    expect((await defaultsOf(stack.stripe, good.customer.id)).customerDefault).toBe(
      good.completion.paymentMethod.id,
    );
    expect((await defaultsOf(stack.stripe, bad.customer.id)).customerDefault).toBeNull();

    // The claim was released, so the redelivered message is applied straight away.
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await defaultsOf(stack.stripe, bad.customer.id)).customerDefault).toBe(
      bad.completion.paymentMethod.id,
    );
  });

  it('a message that is not a setup message is dropped as a permanent failure and never reaches Stripe', async () => {
    const { completion } = await completedSession();
    const valid = setupMessageBody(completion);
    stack.stripeStandIn.clearRequests();
    const event: SQSEvent = { Records: [sqsRecord('garbage', '{"hello":'), sqsRecord('valid', valid)] };
    expect((await stack.worker(event)).batchItemFailures).toEqual([]);
    // The valid one's: the SetupIntent, the subscription's default, the two updates.
    expect(stack.stripeStandIn.requests).toHaveLength(4);
  });

  it('a permanent Stripe error is recorded as failed with its code and the message is not retried', async () => {
    const { sessionId, completion } = await completedSession();
    // Detached elsewhere before the worker ran: Stripe refuses it as a default (a deleted customer is not
    // a failure: its waiting setups are superseded, recovery-deleted-customer.test.ts).
    await stack.stripe.paymentMethods.detach(completion.paymentMethod.id);
    await deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);

    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    const status = await send(`${stack.api.url}/checkout-sessions/${sessionId}`);
    expect(status.json).toMatchObject({ defaultsApplied: false, processing: { status: 'failed' } });
    expect(status.json.processing.failureCode).toEqual(expect.any(String));
  });
});
