import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { createStripeGateway } from '../../functions/shared/adapters/stripe-gateway';
import { sqsEventWith } from '../support/bad-input-cases/queue';
import { defaultsOf } from '../support/fixtures';
import { captureLogLines } from '../support/log-capture';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Every queue message is evidence, never authority. SQS lets any principal with sqs:SendMessage on the queue
 * send any body (SQS developer guide, "Identity and access management in Amazon SQS"; the webhook's role and
 * the session API's both hold it, and a redriven dead letter is re-sent as it was), so a change message is
 * acted on only when the change record the session API wrote holds exactly that message. Oracles for what
 * a detach does: PaymentMethods.d.ts `detach` ("Detaches a PaymentMethod object from a Customer … it can no
 * longer be used for payments") and `PaymentMethod.customer` (null once detached).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { makeDefault, changeStatus, customerWithTwoCards, nextSecond } = savedMethodRequests(() => stack);

const forged = (fields: Record<string, unknown>) =>
  JSON.stringify({
    kind: 'default_change',
    changeId: `chg_forged${Date.now()}`,
    action: 'remove',
    paymentMethodId: null,
    requestedAt: Date.now(),
    livemode: false,
    ...fields,
  });

/** Runs one worker invocation over `body`; returns the batch answer and the EMF metric names it counted. */
async function workOn(body: string) {
  // Metrics are off in tests (test/support/jest-env.ts); this worker writes its EMF documents to be read.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const worker = wireSetupWorker(stack.env);
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  let failures = -1;
  const lines = await captureLogLines(async () => {
    failures = (await worker(sqsEventWith(body))).batchItemFailures.length;
  });
  const counted = lines
    .filter((line) => '_aws' in line)
    .flatMap((line) => Object.keys(line).filter((key) => typeof line[key] === 'number' && key !== '_aws'));
  return { failures, counted };
}

async function isAttached(paymentMethodId: string): Promise<string | null> {
  const method = await stack.stripe.paymentMethods.retrieve(paymentMethodId);
  return typeof method.customer === 'string' ? method.customer : (method.customer?.id ?? null);
}

describe('the worker acts only on change messages the session API wrote', () => {
  it('a forged removal of another customer’s card sent straight to the worker detaches nothing', async () => {
    const attacker = await customerWithTwoCards();
    const victim = await customerWithTwoCards();
    stack.stripeStandIn.clearRequests();
    const { failures, counted } = await workOn(
      forged({ customerId: attacker.customerId, removing: victim.first }),
    );
    // Dropped for good (not handed back for a retry), counted apart from customers' failures.
    expect(failures).toBe(0);
    expect(counted).toContain('UnprovenMessages');
    expect(counted).not.toContain('PermanentFailures');
    expect(await isAttached(victim.first)).toBe(victim.customerId);
    expect(stack.stripeStandIn.countRequests('POST', /^\/v1\/payment_methods\/.*\/detach$/)).toBe(0);
  });

  it('a forged removal sent to the queue and delivered by the event source detaches nothing', async () => {
    const attacker = await customerWithTwoCards();
    const victim = await customerWithTwoCards();
    await stack.sqs.client.send(
      new SendMessageCommand({
        QueueUrl: stack.sqs.queueUrl,
        MessageBody: forged({ customerId: attacker.customerId, removing: victim.second }),
      }),
    );
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect(await isAttached(victim.second)).toBe(victim.customerId);
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a forged far-future switch freezes nothing: the customer’s next switch still applies', async () => {
    const { customerId, subscriptionId, first, second } = await customerWithTwoCards();
    const year2100 = Date.UTC(2100, 0, 1);
    const { counted } = await workOn(
      forged({ action: 'make_default', customerId, paymentMethodId: first, requestedAt: year2100 }),
    );
    expect(counted).toContain('UnprovenMessages');
    expect(await defaultsOf(stack.stripe, customerId, subscriptionId)).toEqual({
      customerDefault: second,
      subscriptionDefault: second,
    });
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    expect(accepted.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(first);
  });

  it('a real change’s message edited to remove another card is dropped; the change as written applies', async () => {
    const { customerId, first, second } = await customerWithTwoCards();
    const victim = await customerWithTwoCards();
    await nextSecond();
    const accepted = await makeDefault(customerId, first);
    const received = await stack.sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.sqs.queueUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: 0,
      }),
    );
    const genuine = JSON.parse(received.Messages?.[0]?.Body ?? '{}');
    expect(genuine.changeId).toBe(accepted.json.id);
    const edited = JSON.stringify({
      ...genuine,
      action: 'remove',
      paymentMethodId: second,
      removing: victim.first,
    });
    const { counted } = await workOn(edited);
    expect(counted).toContain('UnprovenMessages');
    expect(await isAttached(victim.first)).toBe(victim.customerId);
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'queued' });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
    expect((await defaultsOf(stack.stripe, customerId)).customerDefault).toBe(first);
  });

  it('a removal detaches only a method saved on the change’s customer', async () => {
    const mine = await customerWithTwoCards();
    const theirs = await customerWithTwoCards();
    const gateway = createStripeGateway(async () => stack.stripe);
    expect(await gateway.detachPaymentMethod(mine.customerId, theirs.first)).toBe('not_owned');
    expect(await isAttached(theirs.first)).toBe(theirs.customerId);
  });
});
