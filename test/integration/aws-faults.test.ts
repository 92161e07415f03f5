import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { captureLogLines } from '../support/log-capture';
import { queueDepth, type ServiceStack, startServiceStack } from '../support/service-stack';
import { answeredWritesTo, awsFaultsOf } from '../support/stand-in-requests';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * Findings 1–5 of issue 17, each with the AWS fault that produced it, answered by the fault-injecting
 * proxy in AWS's own wire format (test/support/aws-fault-answers.ts names the oracles), so the SDK parses
 * and retries exactly as it does against AWS. The DynamoDB client retries 3 attempts in all (maxAttempts 3,
 * functions/shared/aws-clients), so three faults in a row exhaust it.
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({
    awsFaults: true,
    // The deployed shape: FIFO grouped by customer, the stack's 120 s claim; a long visibility timeout,
    // so a setup that stalls on a claim nobody holds shows as a failed poll, not as a slow pass.
    queue: { fifo: true, maxReceiveCount: 5, visibilityTimeoutSeconds: 360 },
    env: { CLAIM_SECONDS: '120', LOG_LEVEL: 'info' },
  });
});
afterAll(() => stack.close());
afterEach(async () => {
  faults().stop();
  await stack.drainQueue({ retryDelaySeconds: 0 });
});

const faults = () => awsFaultsOf(stack);
const dynamodb = () => faults().proxies.dynamodb;

interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** Runs work with the functions' JSON log lines captured; Powertools' upper-case levels are lower-cased here. */
async function withLogs<T>(work: () => Promise<T>): Promise<{ result: T; logs: LogLine[] }> {
  let result: T | undefined;
  const lines = await captureLogLines(async () => {
    result = await work();
  });
  const logs = lines.map((line) => ({ ...line, level: String(line.level).toLowerCase() }) as LogLine);
  return { result: result as T, logs };
}

async function completedSetup() {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  expect(created.status).toBe(201);
  const completion = await completeSession(stack.stripeStandIn, created.json.id);
  return { customerId: customer.id, subscriptionId: subscription.id, ...completion };
}

const deliver = (event: unknown) =>
  deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret);

/** Stripe updates that went through (200, not an idempotent replay): the writes a SaaS hears about. */
const writesTo = (path: string) => answeredWritesTo(stack.stripeStandIn, path);

// First in the file: Powertools caches a secret for 5 minutes, so only the first read meets Secrets Manager.
describe('Secrets Manager failing (InternalServiceError) past the SDK retries', () => {
  it('the session API answers 503 with Retry-After, not 500, and the next request succeeds', async () => {
    const { customer } = await customerWithSubscription(stack.stripe);
    for (let attempt = 0; attempt < 3; attempt++)
      faults().proxies.secretsmanager.add({ operation: 'GetSecretValue', fault: 'internal' });
    const create = () => postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id });
    const { result: reply, logs } = await withLogs(create);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(logs.filter((line) => line.level === 'error')).toEqual([]);
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.message)).toContain(
      'request failed',
    );
    expect((await create()).status).toBe(201);
  });
});

describe('finding 1: a checkpoint write lost past the SDK retries', () => {
  it('the retry learns from Stripe that the default is set and does not update the customer again', async () => {
    const setup = await completedSetup();
    stack.stripeStandIn.clearRequests();
    const ownerKey = `customer_default#${setup.customerId}`;
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: [ownerKey], fault: 'internal', times: 2 });
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: [ownerKey], fault: 'throughput_exceeded' });

    await deliver(setup.event);
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });

    expect(writesTo(`/v1/customers/${setup.customerId}`)).toBe(1);
    expect(writesTo(`/v1/subscriptions/${setup.subscriptionId}`)).toBe(1);
    expect(await defaultsOf(stack.stripe, setup.customerId, setup.subscriptionId)).toEqual({
      customerDefault: setup.paymentMethod.id,
      subscriptionDefault: setup.paymentMethod.id,
    });
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
  });
});

describe('finding 2: a claim written whose answer was lost', () => {
  it('is the writer’s own claim: the setup is applied on the first delivery', async () => {
    const setup = await completedSetup();
    dynamodb().add({
      operation: 'UpdateItem',
      bodyIncludes: [`setup_intent#${setup.setupIntent.id}`, 'claimToken = :token'],
      fault: 'lost_answer',
    });
    await deliver(setup.event);
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect(dynamodb().injected.map((fault) => fault.fault)).toContain('lost_answer');
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
  });
  it('when the SDK then gives up, the claim is released: the next delivery applies it, not turned away as busy', async () => {
    const setup = await completedSetup();
    // Found by the 25 % soak: the claim applied with its answer lost, then both SDK retries throttled. The
    // rule matches the claim's update only (':processing'), not the release that follows it.
    const claimWrite = [`setup_intent#${setup.setupIntent.id}`, ':processing'];
    const before = dynamodb().injected.length;
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: claimWrite, fault: 'lost_answer' });
    dynamodb().add({ operation: 'UpdateItem', bodyIncludes: claimWrite, fault: 'throttling', times: 2 });
    await deliver(setup.event);
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect(
      dynamodb()
        .injected.slice(before)
        .map((fault) => fault.fault),
    ).toEqual(['lost_answer', 'throttling', 'throttling']);
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
    expect(writesTo(`/v1/customers/${setup.customerId}`)).toBe(1);
  });
});

describe('finding 3: the status path’s marker written whose answer was lost', () => {
  it('still enqueues the lost-webhook setup and answers queued', async () => {
    const setup = await completedSetup();
    dynamodb().add({
      operation: 'UpdateItem',
      bodyIncludes: [`setup_intent#${setup.setupIntent.id}`, 'queuedAt = :now'],
      fault: 'lost_answer',
    });
    const status = await send(`${stack.api.url}/checkout-sessions/${setup.session.id}`);
    expect(status.status).toBe(200);
    expect(status.json.processing.status).toBe('queued');
    expect(await queueDepth(stack.sqs)).toBe(1);
  });
});

describe('finding 4: the outcome written whose answer was lost', () => {
  it('counts as recorded: no "claim expired" warning', async () => {
    const setup = await completedSetup();
    dynamodb().add({
      operation: 'UpdateItem',
      bodyIncludes: [`setup_intent#${setup.setupIntent.id}`, 'REMOVE claimToken'],
      fault: 'lost_answer',
    });
    await deliver(setup.event);
    const { result, logs } = await withLogs(() => stack.pollOnce({ retryDelaySeconds: 0 }));
    expect(result).toEqual({ received: 1, failed: 0 });
    expect(dynamodb().injected.map((fault) => fault.fault)).toContain('lost_answer');
    expect(logs.map((line) => line.message)).toContain('setup processed');
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([]);
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
  });

  it('when it fails past the SDK retries, the claim is released: the redelivery records it at once, changing nothing twice', async () => {
    const setup = await completedSetup();
    stack.stripeStandIn.clearRequests();
    dynamodb().add({
      operation: 'UpdateItem',
      bodyIncludes: [`setup_intent#${setup.setupIntent.id}`, 'REMOVE claimToken'],
      fault: 'internal',
      times: 3,
    });
    await deliver(setup.event);
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    // Not busy behind the first attempt's 120 s claim: the retry takes over and finds its checkpoints.
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
    expect(writesTo(`/v1/customers/${setup.customerId}`)).toBe(1);
    expect(writesTo(`/v1/subscriptions/${setup.subscriptionId}`)).toBe(1);
  });
});

describe('finding 5 and the other edges: transient AWS failures past the SDK retries', () => {
  it('the session status answers 503 with Retry-After while DynamoDB throttles, logged as a warning', async () => {
    const setup = await completedSetup();
    dynamodb().add({
      operation: 'GetItem',
      bodyIncludes: [`setup_intent#${setup.setupIntent.id}`],
      fault: 'throughput_exceeded',
      times: 3,
    });
    const { result: reply, logs } = await withLogs(() =>
      send(`${stack.api.url}/checkout-sessions/${setup.session.id}`),
    );
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.json.error.code).toBe('service_unavailable');
    expect(logs.filter((line) => line.level === 'error')).toEqual([]);
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.message)).toContain(
      'request failed',
    );
    // Once DynamoDB answers again, the same request finishes the job.
    expect((await send(`${stack.api.url}/checkout-sessions/${setup.session.id}`)).status).toBe(200);
  });

  it('the webhook answers 503 with Retry-After while SQS fails, so Stripe delivers again', async () => {
    const setup = await completedSetup();
    for (const fault of ['internal', 'unavailable', 'request_throttled'] as const)
      faults().proxies.sqs.add({ operation: 'SendMessage', fault });
    const { result: reply, logs } = await withLogs(() => deliver(setup.event));
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(logs.filter((line) => line.level === 'error')).toEqual([]);
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.message)).toContain(
      'enqueue failed; Stripe will retry',
    );
    expect((await deliver(setup.event)).status).toBe(200);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
  });

  it('the status path answers 503 while SQS fails, and its next request enqueues (no marker left behind)', async () => {
    const setup = await completedSetup();
    for (let attempt = 0; attempt < 3; attempt++)
      faults().proxies.sqs.add({ operation: 'SendMessage', fault: 'internal' });
    const status = () => send(`${stack.api.url}/checkout-sessions/${setup.session.id}`);
    const failed = await status();
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect((await status()).json.processing.status).toBe('queued');
    expect(await queueDepth(stack.sqs)).toBe(1);
  });

  it('the worker reports a batch-item failure while DynamoDB refuses the claim, and loses nothing', async () => {
    const setup = await completedSetup();
    await deliver(setup.event);
    for (const fault of ['throughput_exceeded', 'throttling', 'internal'] as const)
      dynamodb().add({ operation: 'UpdateItem', bodyIncludes: ['claimToken = :token'], fault });
    const { result, logs } = await withLogs(() => stack.pollOnce({ retryDelaySeconds: 0 }));
    expect(result).toEqual({ received: 1, failed: 1 });
    expect(logs.filter((line) => line.level === 'error')).toEqual([]);
    expect(logs.map((line) => line.message)).toContain('setup will be retried');
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    expect((await stack.records.get(setup.setupIntent.id))?.status).toBe('applied');
  });

  it('an outcome event EventBridge refuses (FailedEntryCount: 1) is published on the retry', async () => {
    const setup = await completedSetup();
    await deliver(setup.event);
    faults().proxies.eventbridge.add({ operation: 'PutEvents', fault: 'failed_entry' });
    expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
    expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
    const published = faults().eventBridge.entries.filter((entry) =>
      entry.Detail.includes(setup.setupIntent.id),
    );
    expect(published).toHaveLength(1);
    expect(writesTo(`/v1/customers/${setup.customerId}`)).toBe(1);
  });
});
