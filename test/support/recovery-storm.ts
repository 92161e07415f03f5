import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import type { StoredEvent } from '../../dev/stripe-stand-in/types';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { createDynamoDbEventClaims } from '../../functions/shared/adapters/dynamodb-setup-records';
import {
  decideOnRecoveryEvent,
  isRecoveryEventType,
} from '../../functions/shared/flow/recovery/recovery-message';
import { inBatches } from './duplicate-storm';
import { startEventBridgeStandIn } from './eventbridge-stand-in';
import { queueDepth, type ServiceStack } from './service-stack';
import { deliverSignedEvent } from './webhooks';

const DAY = 24 * 60 * 60;
const START = 1_900_000_000;
const NEEDED = 'Payment method update needed';
const ELSEWHERE = 'Default changed elsewhere';

export interface RecoveryStormOptions {
  /** Customers, a third in each scenario (renewal declined, default changed elsewhere, customer deleted). */
  customers: number;
  /** Deliveries of every event (Stripe "might occasionally receive the same event more than once"). */
  deliveries: number;
  /** Chance that any Stripe read the worker makes fails (429, 500, lock_timeout, a dropped connection). */
  faultProbability: number;
  workers: number;
  /** Orders the deliveries (a seeded shuffle, so a run can be replayed). */
  seed: number;
  timeoutMs?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface RecoveryStormReport {
  /** Recovery events the webhook queues (the others it acknowledges and drops: no default changed). */
  events: number;
  /** Of those, the ones whose claim record the worker finished as `handled`. */
  handled: number;
  /** Events acted on twice: more than one outcome event for one Stripe event or for one scenario. */
  doubled: number;
  /** Events never finished, or a scenario whose one outcome event never came. */
  lost: number;
  deliveries: number;
  byType: Record<string, number>;
  outcomeEvents: Record<string, number>;
  stripeFaults: Record<string, number>;
  deadLetterDepth: number;
  queueDepth: number;
  wallMs: number;
}

type Scenario = { customerId: string; expects: typeof NEEDED | typeof ELSEWHERE | null };

/**
 * The recovery events under duplicates, out-of-order delivery and Stripe faults. Each customer follows one
 * path Stripe documents: a 0341 card declined at the end of a 7-day trial (`invoice.payment_failed`,
 * https://docs.stripe.com/billing/testing/test-clocks), a default set outside the service
 * (`customer.updated`, https://docs.stripe.com/api/customers/update), or a customer deleted
 * (`customer.deleted`). Every event the endpoint is subscribed to is delivered `deliveries` times, all
 * shuffled together (https://docs.stripe.com/webhooks#event-ordering: no order, maybe more than once), while
 * Stripe fails a share of the worker's reads. Then: every queued event finished exactly once, and every
 * scenario produced its one outcome event (none for a deleted customer).
 */
export async function runRecoveryStorm(
  stack: ServiceStack,
  options: RecoveryStormOptions,
): Promise<RecoveryStormReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const eventBridge = await startEventBridgeStandIn();
  const previousEndpoint = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;
  try {
    const worker = wireSetupWorker({
      ...stack.env,
      EVENT_BUS_NAME: 'saas-events',
      UPDATE_LINK_BASE_URL: stack.api.url,
    });
    const before = new Set(stack.stripeStandIn.store.events.keys());
    const scenarios = await inBatches(
      options.customers,
      10,
      (index) => arrangeScenario(stack, index),
      (done) => progress(done, options.customers, 'recovery arranged'),
    );
    const events = [...stack.stripeStandIn.store.events.values()].filter(
      (event) => !before.has(event.id) && isRecoveryEventType(event.type),
    );
    // What the webhook queues: a customer or subscription update that left the default alone is dropped there.
    const queued = events.filter(
      (event) =>
        decideOnRecoveryEvent(event as Parameters<typeof decideOnRecoveryEvent>[0]).action === 'enqueue',
    );
    stack.stripeStandIn.clearRequests();
    for (const route of [
      /^\/v1\/events\//,
      /^\/v1\/invoices/,
      /^\/v1\/subscriptions/,
      /^\/v1\/customers\//,
      /^\/v1\/payment_methods\//,
    ]) {
      const faults = [
        { status: 429 },
        { status: 500 },
        { status: 'reset' },
        { status: 'lock_timeout' },
      ] as const;
      for (const fault of faults)
        stack.stripeStandIn.faults.add({
          method: 'GET',
          path: route,
          ...fault,
          probability: options.faultProbability / faults.length,
        });
    }
    const deliveries = shuffled(
      events.flatMap((event) => Array.from({ length: options.deliveries }, () => event)),
      options.seed,
    );
    let polling = true;
    // Lambda's event source mapping, several instances at once, each invoking the worker with the bus and links.
    const pollers = Array.from({ length: options.workers }, async () => {
      while (polling) {
        const { received } = await pollOnce(stack.sqs.client, stack.sqs.queueUrl, worker, {
          batchSize: 10,
          retryDelaySeconds: 0,
        }).catch(() => ({ received: 0 }));
        if (received === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    try {
      await inBatches(
        deliveries.length,
        20,
        (index) => deliverUntilAccepted(stack, deliveries[index] as StoredEvent),
        (done) => progress(done, deliveries.length, 'recovery deliveries'),
      );
      const claims = createDynamoDbEventClaims(stack.dynamodb.client, {
        tableName: stack.dynamodb.tableName,
        claimSeconds: 60,
        recordRetentionDays: 30,
        itemPrefix: 'stripe_event',
      });
      const finished = async () =>
        (await Promise.all(queued.map((event) => claims.get(event.id)))).map(
          (record) => record?.status === 'handled',
        );
      const deadline = Date.now() + (options.timeoutMs ?? 120_000);
      let done = await finished();
      while (done.includes(false) && Date.now() < deadline) {
        progress(done.filter(Boolean).length, queued.length, 'recovery handled');
        await new Promise((resolve) => setTimeout(resolve, 250));
        done = await finished();
      }
      polling = false;
      await Promise.all(pollers);
      stack.stripeStandIn.faults.clear();
      const detail = (type: string) =>
        eventBridge.entries
          .filter((entry) => entry.DetailType === type)
          .map((entry) => JSON.parse(entry.Detail) as { customerId: string; stripeEventId: string });
      const published = [...detail(NEEDED), ...detail(ELSEWHERE)];
      const perEvent = countBy(published.map((entry) => entry.stripeEventId));
      const doubledEvents = [...perEvent.values()].filter((count) => count > 1).length;
      const scenarioCounts = scenarios.map((scenario) =>
        scenario.expects === null
          ? published.filter((entry) => entry.customerId === scenario.customerId).length
          : detail(scenario.expects).filter((entry) => entry.customerId === scenario.customerId).length,
      );
      const doubledScenarios = scenarios.filter(
        (scenario, index) => (scenarioCounts[index] ?? 0) > (scenario.expects === null ? 0 : 1),
      ).length;
      const missing = scenarios.filter(
        (scenario, index) => scenario.expects !== null && scenarioCounts[index] === 0,
      ).length;
      const stripeFaults: Record<string, number> = {};
      for (const request of stack.stripeStandIn.requests) {
        if (request.fault === undefined) continue;
        stripeFaults[String(request.fault)] = (stripeFaults[String(request.fault)] ?? 0) + 1;
      }
      return {
        events: queued.length,
        handled: done.filter(Boolean).length,
        doubled: Math.max(doubledEvents, doubledScenarios),
        lost: Math.max(done.filter((finishedOne) => !finishedOne).length, missing),
        deliveries: deliveries.length,
        byType: Object.fromEntries(countBy(queued.map((event) => event.type))),
        outcomeEvents: Object.fromEntries(countBy(eventBridge.entries.map((entry) => entry.DetailType))),
        stripeFaults,
        deadLetterDepth: await queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl),
        queueDepth: await queueDepth(stack.sqs),
        wallMs: Date.now() - started,
      };
    } finally {
      polling = false;
      await Promise.all(pollers);
      stack.stripeStandIn.faults.clear();
    }
  } finally {
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = previousEndpoint;
    await eventBridge.close();
  }
}

async function arrangeScenario(stack: ServiceStack, index: number): Promise<Scenario> {
  const { stripe } = stack;
  const path = index % 3;
  if (path === 0) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await stripe.customers.create({ test_clock: clock.id });
    const card = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_monthly' }],
      trial_period_days: 7,
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: START + 7 * DAY + 2 * 3600 });
    await stack.stripeStandIn.testClocksReady();
    return { customerId: customer.id, expects: NEEDED };
  }
  const customer = await stripe.customers.create({});
  if (path === 1) {
    // The customer's own default, set in the Dashboard or by another integration: drift, reported once.
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    return { customerId: customer.id, expects: ELSEWHERE };
  }
  await stripe.customers.del(customer.id);
  return { customerId: customer.id, expects: null };
}

async function deliverUntilAccepted(stack: ServiceStack, event: StoredEvent): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const reply = await deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret).catch(
      () => ({ status: 0 }),
    );
    // Stripe retries a 5xx or a dropped connection (https://docs.stripe.com/webhooks#retries).
    if (reply.status >= 200 && reply.status < 500) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`delivery of ${event.id} never accepted`);
}

/** A seeded Fisher–Yates shuffle (mulberry32), so a storm's order replays from its seed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
