import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_RETRY_POLICY } from '../../functions/setup-worker/retry-policy';
import { CHECKOUT_SESSION_COMPLETED } from '../../functions/shared/flow/setup-message';
import { readServiceSettings } from '../../lib/service-settings';
import {
  changesTo,
  createCompletedSession,
  inBatches,
  type StormSession,
  startPolling,
} from './duplicate-storm';
import { queueDepth, type ServiceStack, type ServiceStackOptions } from './service-stack';
import { deliverSignedEvent } from './webhooks';

/**
 * An outage of Stripe (every API request answers 503) or of AWS (every DynamoDB, SQS, EventBridge and Secrets
 * Manager call of the functions fails) on a compressed clock: every duration the outage is measured against —
 * the queue's visibility timeout, the claim, the worker's backoff and horizon, the stand-in's idempotency-key
 * retention — divided by the same factor, so the simulated outage stands in the same relation to each as a
 * real one would. Setups arrive before and during it (Stripe retries a webhook it could not deliver, as it
 * does for 3 days: https://docs.stripe.com/webhooks#retries), then Stripe or AWS recovers.
 */
export interface OutageDrillOptions {
  kind: 'stripe' | 'aws';
  simulatedSeconds: number;
  /** Simulated seconds per wall-clock second. */
  compression: number;
  sessions: number;
  workers: number;
  /** How long to wait after the outage for the setups to be applied. */
  recoveryTimeoutMs: number;
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface OutageDrillReport {
  sessions: number;
  applied: number;
  deadLettered: number;
  lost: number;
  doubled: number;
  stripeRequestsDuringOutage: number;
  recoveredInMs: number;
  wallMs: number;
}

/** The deployed durations (seconds), and what the drill scales. */
const DEPLOYED = {
  visibilityTimeout: 360,
  claim: 120,
  backoffBase: DEFAULT_RETRY_POLICY.baseSeconds,
  backoffCap: DEFAULT_RETRY_POLICY.capSeconds,
  horizon: DEFAULT_RETRY_POLICY.deadLetterAfterSeconds,
  idempotencyRetention: 24 * 3600,
};

export type DrillTimings = Record<keyof typeof DEPLOYED, { deployed: number; drill: number }>;

/** Each deployed duration divided by the compression, in whole seconds (SQS's unit), at least 1. */
export function drillTimings(compression: number): DrillTimings {
  const scaled = (seconds: number) => ({
    deployed: seconds,
    drill: Math.max(1, Math.round(seconds / compression)),
  });
  return Object.fromEntries(
    Object.entries(DEPLOYED).map(([name, seconds]) => [name, scaled(seconds)]),
  ) as DrillTimings;
}

/** The stack options of a drill: the scaled queue, claim and backoff, and AWS fault proxies for an AWS outage. */
export function drillStackOptions(kind: 'stripe' | 'aws', timings: DrillTimings): ServiceStackOptions {
  return {
    queue: {
      fifo: true,
      visibilityTimeoutSeconds: timings.visibilityTimeout.drill,
      // The count a stack deployed from cdk.json gets (local-aws-sqs also counts each hand-back, so it is
      // reached twice as fast here).
      maxReceiveCount: deployedMaxReceiveCount(),
    },
    env: {
      CLAIM_SECONDS: String(timings.claim.drill),
      RETRY_BACKOFF_BASE_SECONDS: String(timings.backoffBase.drill),
      RETRY_BACKOFF_CAP_SECONDS: String(timings.backoffCap.drill),
      DEAD_LETTER_AFTER_SECONDS: String(timings.horizon.drill),
    },
    awsFaults: kind === 'aws',
  };
}

/** The redrive count `cdk deploy -c stage=dev` would give the queue, read as the stack reads its settings. */
export function deployedMaxReceiveCount(): number {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  const context: Record<string, unknown> = { ...cdkJson.context, stage: 'dev', allowUnauthenticated: 'true' };
  return readServiceSettings({ tryGetContext: (key: string) => context[key] } as never).maxReceiveCount;
}

export async function runOutageDrill(
  stack: ServiceStack,
  options: OutageDrillOptions,
): Promise<OutageDrillReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const timings = drillTimings(options.compression);
  stack.stripeStandIn.setIdempotencyRetention(timings.idempotencyRetention.drill);
  const sessions = await inBatches(
    options.sessions,
    10,
    async () => createCompletedSession(stack),
    (done) => progress(done, options.sessions, 'sessions created'),
  );
  const outageMs = (options.simulatedSeconds / options.compression) * 1000;
  // A third arrive before the outage, a third as it starts, a third spread through it.
  const third = Math.ceil(sessions.length / 3);
  const before = sessions.slice(0, third);
  const atStart = sessions.slice(third, 2 * third);
  const during = sessions.slice(2 * third);
  const pollers = Array.from({ length: options.workers }, () => startPolling(stack, undefined));
  let outageOver = false;
  const deliver = (session: StormSession) => deliverUntilAccepted(stack, session, () => outageOver);

  await Promise.all(before.map(deliver));
  const requestsBefore = stack.stripeStandIn.requests.length;
  const outageStarted = Date.now();
  startOutage(stack, options.kind);
  const deliveries = [
    ...atStart.map(deliver),
    ...during.map(async (session, index) => {
      await sleep((outageMs * (index + 1)) / (during.length + 1));
      await deliver(session);
    }),
  ];
  while (Date.now() - outageStarted < outageMs) {
    progress(Math.round((Date.now() - outageStarted) / 1000), Math.round(outageMs / 1000), 'outage (s)');
    await sleep(Math.min(1000, outageMs - (Date.now() - outageStarted)));
  }
  const stripeRequestsDuringOutage = stack.stripeStandIn.requests.length - requestsBefore;
  stopOutage(stack, options.kind);
  outageOver = true;
  const recoveryStarted = Date.now();
  await Promise.all(deliveries);
  const deadline = Date.now() + options.recoveryTimeoutMs;
  let applied = 0;
  for (;;) {
    const records = await Promise.all(sessions.map((session) => stack.records.get(session.setupIntentId)));
    applied = records.filter((record) => record?.status === 'applied').length;
    progress(applied, sessions.length, 'applied');
    if (applied === sessions.length || Date.now() > deadline) break;
    await sleep(250);
  }
  const recoveredInMs = Date.now() - recoveryStarted;
  await Promise.all(pollers.map((poller) => poller.stop()));
  const deadLettered = await queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl);
  const doubled = sessions.filter(
    (session) =>
      changesTo(stack, `/v1/customers/${session.customerId}`) > 1 ||
      changesTo(stack, `/v1/subscriptions/${session.subscriptionId}`) > 1,
  ).length;
  return {
    sessions: sessions.length,
    applied,
    deadLettered,
    lost: Math.max(0, sessions.length - applied - deadLettered),
    doubled,
    stripeRequestsDuringOutage,
    recoveredInMs,
    wallMs: Date.now() - started,
  };
}

function startOutage(stack: ServiceStack, kind: 'stripe' | 'aws') {
  if (kind === 'stripe') {
    stack.stripeStandIn.faults.add({ path: /^\/v1\//, status: 503, times: Number.MAX_SAFE_INTEGER });
    return;
  }
  if (!stack.awsFaults) throw new Error('an AWS outage needs a stack started with awsFaults: true');
  stack.awsFaults.start(1, 1);
}

function stopOutage(stack: ServiceStack, kind: 'stripe' | 'aws') {
  if (kind === 'stripe') stack.stripeStandIn.faults.clear();
  else stack.awsFaults?.stop();
}

/**
 * The webhook delivery of a session's checkout.session.completed, as Stripe makes it: a 5xx or a dropped
 * connection is retried later (here every half second of wall time) until accepted.
 */
async function deliverUntilAccepted(stack: ServiceStack, session: StormSession, outageOver: () => boolean) {
  const event = session.events.find((candidate) => candidate.type === CHECKOUT_SESSION_COMPLETED);
  let attemptsAfter = 0;
  for (;;) {
    const reply = await deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret).catch(
      () => ({ status: 0 }),
    );
    if (reply.status >= 200 && reply.status < 500) return;
    if (outageOver() && ++attemptsAfter > 20) {
      throw new Error(`delivery of ${session.sessionId} never accepted`);
    }
    await sleep(500);
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
