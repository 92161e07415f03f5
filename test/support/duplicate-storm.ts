import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { CHECKOUT_SESSION_COMPLETED, HANDLED_EVENT_TYPES } from '../../functions/shared/flow/setup-message';
import type { SetupRecord } from '../../functions/shared/ports';
import { completeSession } from './checkout';
import { postJson, send } from './http';
import { queueDepth, type ServiceStack } from './service-stack';
import { answeredWritesTo } from './stand-in-requests';
import { deliverSignedEvent } from './webhooks';

export interface StormOptions {
  sessions: number;
  deliveriesPerSession: number;
  /** Chance that any Stripe API request fails (429, 500 or a dropped connection). */
  faultProbability: number;
  /** Kill a worker process with SIGKILL between its customer and subscription updates, once. */
  killAWorker: boolean;
  /** Concurrent worker instances polling the queue. */
  workers: number;
  /**
   * How long a failed message stays hidden before it is received again. Unset: the queue's visibility
   * timeout, as Lambda's event source mapping leaves it (so a claim shorter than that has lapsed by the next
   * receive, as in the deployed stack). 0 redelivers at once: more attempts per second, a harsher test of
   * exactly-once, but a claim that outlives its attempt then burns receives towards the dead-letter queue.
   */
  redeliveryDelaySeconds?: number;
  /**
   * With a stack started with `awsFaults: true`: this share of the functions' AWS calls fails (seeded), from
   * the first delivery until every setup has been attempted once; then the faults stop.
   */
  awsFaults?: { probability: number; seed: number };
  timeoutMs?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface StormReport {
  sessions: number;
  deliveries: number;
  /** Changes of a default per session (customer and subscription each): exactly 1 when all is well. */
  effectsPerSession: { min: number; max: number };
  stripeWritesPerSession: { min: number; max: number; mean: number };
  /** Updates of one default Stripe answered 200 (not replays): exactly 1 when nothing was repeated. */
  writesPerDefault: { min: number; max: number };
  /**
   * Stripe requests answered with an injected fault, by kind (`429`, `500`, `reset`, `lock_timeout`), and
   * `lock contention` for the stand-in's own 429 lock_timeout when two writes met on one customer.
   */
  stripeFaults: Record<string, number>;
  /** AWS faults injected, by kind; empty without `awsFaults`. */
  awsFaults: Record<string, number>;
  /** From the AWS faults stopping to the last setup finished; 0 without `awsFaults`. */
  settledAfterFaultsMs: number;
  lost: number;
  /** Up to five setups not applied, with where their record stands, to start a diagnosis from. */
  unfinished: { setupIntentId: string; status: string; awsFaults: string[] }[];
  doubled: number;
  deadLetterDepth: number;
  /** Messages still waiting or in flight in the work queue when the storm ended. */
  queueDepth: number;
  killedWorkers: number;
  wallMs: number;
}

export interface StormSession {
  customerId: string;
  subscriptionId: string;
  sessionId: string;
  setupIntentId: string;
  /** What Stripe delivers for the completed setup that the service handles, in any order. */
  events: { type: string }[];
}

const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * Many setups, each delivered several times at once — half through the signed webhook, half through the
 * success page's status path (their webhook "lost") — while Stripe fails a share of requests and, once, a
 * worker process is killed mid-setup. Then counts what Stripe saw: every default must change exactly once.
 */
export async function runDuplicateStorm(stack: ServiceStack, options: StormOptions): Promise<StormReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const sessions = await inBatches(
    options.sessions,
    20,
    async () => createCompletedSession(stack),
    (done) => progress(done, options.sessions, 'sessions created'),
  );
  stack.stripeStandIn.clearRequests();

  let killedWorkers = 0;
  const [victim] = sessions;
  if (options.killAWorker && victim) killedWorkers = await killWorkerMidSetup(stack, victim);

  for (const route of [
    /^\/v1\/setup_intents\//,
    /^\/v1\/customers\//,
    /^\/v1\/subscriptions\//,
    /^\/v1\/checkout\//,
  ]) {
    // lock_timeout: Stripe's 429 for an object another request holds (docs.stripe.com/error-codes/lock-timeout).
    // `executed`: the request ran, then Stripe answered 500 and saved that 500 under its idempotency key, so the
    // SDK's retries with the key get it again (docs.stripe.com/api/idempotent_requests).
    const faults = [
      { status: 429 },
      { status: 500 },
      { status: 'reset' },
      { status: 'lock_timeout' },
      { status: 500, phase: 'executed' },
    ] as const;
    for (const fault of faults) {
      stack.stripeStandIn.faults.add({
        path: route,
        ...fault,
        probability: options.faultProbability / faults.length,
      });
    }
  }

  if (options.awsFaults) {
    if (!stack.awsFaults) throw new Error('awsFaults needs a stack started with awsFaults: true');
    // Named by creation order, so the same seed faults the same setups' calls in the next run.
    const names = new Map(
      sessions.flatMap((session, index) => [
        [session.setupIntentId, `setup-${index}`],
        [session.customerId, `customer-${index}`],
        [session.subscriptionId, `subscription-${index}`],
      ]),
    );
    stack.awsFaults.start(options.awsFaults.probability, options.awsFaults.seed, names);
  }
  const pollers = Array.from({ length: options.workers }, () =>
    startPolling(stack, options.redeliveryDelaySeconds),
  );
  const deliveries = sessions.flatMap((session, index) =>
    Array.from(
      { length: options.deliveriesPerSession },
      (_, delivery) => () => deliverUntilAccepted(stack, deliveredEvents(session, options), index, delivery),
    ),
  );
  await inBatches(
    deliveries.length,
    50,
    (index) => (deliveries[index] as () => Promise<void>)(),
    (done) => progress(done, deliveries.length, 'deliveries'),
  );
  const timeoutMs = options.timeoutMs ?? 120_000;
  let faultsStoppedAt = Date.now();
  if (stack.awsFaults && options.awsFaults) {
    await waitUntil(
      stack,
      sessions,
      timeoutMs,
      (record) => record !== undefined && record.status !== 'queued',
    );
    faultsStoppedAt = stack.awsFaults.stop();
  }
  await waitUntil(
    stack,
    sessions,
    timeoutMs,
    (record) => record?.status === 'applied' || record?.status === 'failed',
    (done) => progress(done, sessions.length, 'applied'),
  );
  const settledAfterFaultsMs = options.awsFaults ? Date.now() - faultsStoppedAt : 0;
  await Promise.all(pollers.map((poller) => poller.stop()));
  stack.stripeStandIn.faults.clear();

  const changes = sessions.map((session) => ({
    customer: changesTo(stack, `/v1/customers/${session.customerId}`),
    subscription: changesTo(stack, `/v1/subscriptions/${session.subscriptionId}`),
    writes: stack.stripeStandIn.requests.filter(
      (request) =>
        request.method === 'POST' &&
        (request.path === `/v1/customers/${session.customerId}` ||
          request.path === `/v1/subscriptions/${session.subscriptionId}` ||
          request.path.endsWith('/attach')),
    ).length,
  }));
  const effects = changes.flatMap((change) => [change.customer, change.subscription]);
  const defaultWrites = sessions.flatMap((session) =>
    [`/v1/customers/${session.customerId}`, `/v1/subscriptions/${session.subscriptionId}`].map(
      (requestPath) => answeredWritesTo(stack.stripeStandIn, requestPath),
    ),
  );
  const injectedAwsFaults = stack.awsFaults?.injected() ?? [];
  const awsFaults: Record<string, number> = {};
  for (const fault of injectedAwsFaults) {
    const kind = `${fault.service} ${fault.fault}`;
    awsFaults[kind] = (awsFaults[kind] ?? 0) + 1;
  }
  const stripeFaults: Record<string, number> = {};
  for (const request of stack.stripeStandIn.requests) {
    const kind =
      request.fault !== undefined
        ? String(request.fault)
        : request.lockTimeout
          ? 'lock contention'
          : undefined;
    if (kind !== undefined) stripeFaults[kind] = (stripeFaults[kind] ?? 0) + 1;
  }
  const writes = changes.map((change) => change.writes);
  const records = await Promise.all(sessions.map((session) => stack.records.get(session.setupIntentId)));
  return {
    sessions: sessions.length,
    deliveries: deliveries.length,
    effectsPerSession: { min: Math.min(...effects), max: Math.max(...effects) },
    stripeWritesPerSession: {
      min: Math.min(...writes),
      max: Math.max(...writes),
      mean: Number((writes.reduce((sum, count) => sum + count, 0) / writes.length).toFixed(2)),
    },
    writesPerDefault: { min: Math.min(...defaultWrites), max: Math.max(...defaultWrites) },
    stripeFaults,
    awsFaults,
    settledAfterFaultsMs,
    lost: records.filter((record) => record?.status !== 'applied').length,
    unfinished: sessions
      .map((session, index) => ({
        setupIntentId: session.setupIntentId,
        status: records[index]?.status ?? 'no record',
        awsFaults: injectedAwsFaults
          .filter((fault) => fault.subject.endsWith(session.setupIntentId))
          .map((fault) => `${fault.operation} ${fault.fault}`),
      }))
      .filter((setup) => setup.status !== 'applied')
      .slice(0, 5),
    doubled: changes.filter((change) => change.customer > 1 || change.subscription > 1).length,
    deadLetterDepth: await queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl),
    queueDepth: await queueDepth(stack.sqs),
    killedWorkers,
    wallMs: Date.now() - started,
  };
}

export async function createCompletedSession(stack: ServiceStack): Promise<StormSession> {
  const customer = await stack.stripe.customers.create({});
  const subscription = await stack.stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'p' }],
  });
  const create = () =>
    postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id, subscription: subscription.id });
  // A connection the loaded machine dropped is tried once more (an extra session is harmless).
  const created = await create().catch(create);
  if (created.status !== 201) throw new Error(`session not created: ${created.status} ${created.text}`);
  const { events, setupIntent } = await completeSession(stack.stripeStandIn, created.json.id);
  return {
    customerId: customer.id,
    subscriptionId: subscription.id,
    sessionId: created.json.id,
    setupIntentId: setupIntent.id,
    events: events.filter((event) => (HANDLED_EVENT_TYPES as readonly string[]).includes(event.type)),
  };
}

/**
 * Under AWS faults only `checkout.session.completed` is delivered, as before: a second event type is a second
 * queue message per setup (deduplicated per setup and type), which the AWS-fault runs' settle bound (one
 * visibility timeout, queue empty when the last setup is applied) does not allow for.
 */
function deliveredEvents(session: StormSession, options: StormOptions): StormSession {
  if (options.awsFaults === undefined) return session;
  const completed = session.events.filter((event) => event.type === CHECKOUT_SESSION_COMPLETED);
  return { ...session, events: completed };
}

/**
 * Even sessions arrive by signed webhook, odd ones only by the success page polling the status. A webhook
 * session's deliveries take turns between its handled events (`setup_intent.succeeded`,
 * `checkout.session.completed`), starting with either by session: Stripe sends both for a card setup, in
 * either order, each maybe twice. Not random, so a seeded AWS-fault run replays the same deliveries.
 */
async function deliverUntilAccepted(
  stack: ServiceStack,
  session: StormSession,
  index: number,
  delivery: number,
): Promise<void> {
  const event = session.events[(Math.floor(index / 2) + delivery) % session.events.length];
  for (let attempt = 0; attempt < 20; attempt++) {
    const reply = await (index % 2 === 0
      ? deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret)
      : send(`${stack.api.url}/checkout-sessions/${session.sessionId}`)
    ).catch(() => ({ status: 0 }));
    // Stripe retries a 5xx or a dropped connection; the success page polls again after an error.
    if (reply.status >= 200 && reply.status < 500) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`delivery of ${session.sessionId} never accepted`);
}

/**
 * A worker in its own process, so it can really die: its subscription update is held up by the stand-in,
 * and the process gets SIGKILL right after its customer update has gone through.
 */
async function killWorkerMidSetup(stack: ServiceStack, victim: StormSession): Promise<number> {
  stack.stripeStandIn.faults.add({
    method: 'POST',
    path: new RegExp(`^/v1/subscriptions/${victim.subscriptionId}$`),
    latencyMs: 3000,
    times: 1,
  });
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'test', 'support', 'worker-process.ts')],
    { cwd: PROJECT_ROOT, env: { ...process.env, ...stack.env }, stdio: 'ignore' },
  );
  await deliverSignedEvent(stack.webhookUrl, victim.events[0], stack.stripeStandIn.webhookSecret);
  const deadline = Date.now() + 20_000;
  while (changesTo(stack, `/v1/customers/${victim.customerId}`) === 0) {
    if (Date.now() > deadline) throw new Error('the worker process never updated the customer');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Give its owner-record write a moment, then kill it while the subscription update hangs.
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return 1;
}

export function startPolling(stack: ServiceStack, retryDelaySeconds: number | undefined) {
  let running = true;
  const loop = (async () => {
    while (running) {
      const { received } = await stack
        .pollOnce({ batchSize: 10, ...(retryDelaySeconds === undefined ? {} : { retryDelaySeconds }) })
        .catch(() => ({ received: 0 }));
      if (received === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Polls the records (straight from DynamoDB, never faulted) until every setup's record passes `test`. */
async function waitUntil(
  stack: ServiceStack,
  sessions: StormSession[],
  timeoutMs: number,
  test: (record: SetupRecord | undefined) => boolean,
  progress: (done: number) => void = () => {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(sessions.map((session) => stack.records.get(session.setupIntentId)));
    const done = records.filter(test).length;
    progress(done);
    if (done === sessions.length || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function changesTo(stack: ServiceStack, requestPath: string): number {
  return stack.stripeStandIn.requests.filter(
    (request) => request.method === 'POST' && request.path === requestPath && request.changed === true,
  ).length;
}

export async function inBatches<T>(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<T>,
  progress: (done: number) => void,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
        progress(++done);
      }
    }),
  );
  return results;
}
