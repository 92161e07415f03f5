import { setTimeout as sleep } from 'node:timers/promises';
import { toHttpApiEvent } from '../../dev/http-api/event';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { createStripeClient } from '../../functions/shared/stripe-client';
import type { HandledEvent, WorkerLatencyParams, WorkerLatencyResult } from '../load/worker-latency';
import { type BenchSettings, workerShape } from '../settings';
import type { Bundles } from '../support/bundles';
import { type InteractiveDriver, startInteractiveDriver } from '../support/child';
import { httpOperation, startCountingProxy } from '../support/dynamodb-counting-proxy';
import { milliseconds, type Row, type Section, times } from '../support/report';
import type { Runtime } from '../support/runtimes';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import { BENCH_STRIPE_KEY, type BenchStandIns } from '../support/stand-ins';
import { median, nowMs } from '../support/stats';
import { criticalPathRow, type TimedEvent, timedCalls } from './worker-latency';

/*
 * The floor, for a customer whose one subscription is on the card being replaced:
 * - a switch: the API must check the method is the caller's (1 Stripe read); the worker must learn which
 *   subscriptions are on the replaced card (1 list, which also carries the customer's default), then set the
 *   customer's default and the subscription's (2 writes, one after the other: Stripe locks a customer with
 *   its subscriptions). 1 + 3 Stripe calls.
 * - a removal of an unused card: the API must read the method and the subscriptions with the customer's
 *   default (expanded on the list) to refuse a removal that would leave something without a method (2 reads);
 *   the worker checks again, in order with the customer's other work, then detaches (2 reads + 1 write).
 * - switch latency: the list, the customer update and the follower's update are three Stripe round trips in
 *   a row. DynamoDB adds what cannot overlap them: the claim before any Stripe write (exactly once), each
 *   default's owner record after its update (the checkpoint a redelivery resumes from), and the outcome.
 *   At about 5 ms a call (in-region DynamoDB; dynalite here is no faster), that is 3 round trips + ~25 ms:
 *   3.5× at +50 ms, 3.1× at +300 ms.
 */
const CALL_TARGETS = { switchApi: 1, switchWorker: 3, removalApi: 2, removalWorker: 3 };
const FLOOR_ROUND_TRIPS = 3;
const DYNAMODB_ALLOWANCE_MS = 25;
/** Long enough for the instance's limiter to refill its burst, so each switch meets an idle worker. */
const IDLE_BETWEEN_EVENTS_MS = 500;

interface Counted {
  stripe: number;
  dynamodb: number;
}

/**
 * Switches and removals through the session API (in this process) and the deployed worker bundle in its own
 * process on the first runtime, as figure 4 runs it: each switch's handler time against one Stripe round
 * trip taken just before, at each of figure 4's Stripe latencies, with every call it made timed by a proxy.
 */
export async function measureSavedMethods(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtime: Runtime,
): Promise<Section> {
  const { stripe, stripeStandIn } = standIns;
  const stripeCalls = await startCountingProxy(stripeStandIn.url, httpOperation);
  const queueUrl = await standIns.createQueue('bench-saved-methods');
  const env = {
    ...standIns.functionEnv,
    QUEUE_URL: queueUrl,
    STRIPE_API_BASE: stripeCalls.endpoint,
    STRIPE_MAX_REQUESTS_PER_SECOND: String(workerShape(settings).perInstance),
  };
  const checkoutApi = wireCheckoutApi(env);
  const params: WorkerLatencyParams = { queueUrl };
  const worker: InteractiveDriver<WorkerLatencyResult> = startInteractiveDriver<WorkerLatencyResult>(
    'worker-latency',
    bundles['setup-worker'].deployed,
    env,
    params,
    runtime.execPath,
  );
  const processNext = async () => {
    const handled = await worker.request<HandledEvent>({ next: true });
    if (!handled || handled.failed > 0) throw new Error('the worker failed a saved-method change');
    return handled;
  };
  const roundTripClient = createStripeClient(BENCH_STRIPE_KEY, { apiBase: new URL(stripeStandIn.url) });
  const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; calls: Counted }> => {
    stripeCalls.clear();
    standIns.dynamodbCalls.clear();
    const result = await work();
    return {
      result,
      calls: { stripe: stripeCalls.calls.length, dynamodb: standIns.dynamodbCalls.calls.length },
    };
  };
  const call = async (method: string, url: string, routeKey: string, id: string, body?: object) => {
    const reply = await checkoutApi(
      toHttpApiEvent({
        method,
        url,
        routeKey,
        pathParameters: { id },
        headers: body ? { 'content-type': 'application/json' } : {},
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    if (reply.statusCode !== 202) throw new Error(`${routeKey} answered ${reply.statusCode}: ${reply.body}`);
  };

  const runs = settings.stripeLatenciesMs.map((latencyMs, index) => ({
    latencyMs,
    events: (settings.workerLatencyEvents[index] ?? 1) + 1,
  }));
  const switches: { api: Counted; worker: Counted }[] = [];
  const removals: { api: Counted; worker: Counted }[] = [];
  const timed = new Map<number, TimedEvent[]>();
  try {
    // Each customer's card is the default of the customer and of its subscription (the setup named it).
    const setups = await completedSetups(
      standIns,
      runs.reduce((total, run) => total + run.events, 0),
    );
    for (const setup of setups) {
      await deliverThroughWebhook(standIns, [setup], queueUrl);
      await processNext();
    }
    let next = 0;
    for (const { latencyMs, events } of runs) {
      stripeStandIn.setLatency(latencyMs);
      for (let index = 0; index < events; index++) {
        const setup = setups[next++];
        if (!setup) throw new Error('ran out of customers');
        const card = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
        await stripe.paymentMethods.attach(card.id, { customer: setup.customerId });
        const api = await counted(() =>
          call('POST', `/payment-methods/${card.id}/default`, 'POST /payment-methods/{id}/default', card.id, {
            customer: setup.customerId,
          }),
        );
        const started = nowMs();
        await roundTripClient.customers.retrieve(setup.customerId);
        const roundTripMs = nowMs() - started;
        const applied = await counted(processNext);
        // The first switch warms connections and code paths, as a warm Lambda instance already has.
        if (index > 0) {
          if (latencyMs === runs[0]?.latencyMs) switches.push({ api: api.calls, worker: applied.calls });
          const event = {
            handlerMs: applied.result.handlerMs,
            roundTripMs,
            ...timedCalls(stripeCalls.calls, standIns.dynamodbCalls.calls),
          };
          timed.set(latencyMs, [...(timed.get(latencyMs) ?? []), event]);
        }
        await sleep(IDLE_BETWEEN_EVENTS_MS);

        const spare = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_amex' } });
        await stripe.paymentMethods.attach(spare.id, { customer: setup.customerId });
        const removalApi = await counted(() =>
          call(
            'DELETE',
            `/payment-methods/${spare.id}?customer=${setup.customerId}`,
            'DELETE /payment-methods/{id}',
            spare.id,
          ),
        );
        const removalWorker = await counted(processNext);
        if (index > 0 && latencyMs === runs[0]?.latencyMs)
          removals.push({ api: removalApi.calls, worker: removalWorker.calls });
        // The worker instance's limiter refills its burst before the next switch is timed.
        await sleep(IDLE_BETWEEN_EVENTS_MS);
      }
    }
  } finally {
    stripeStandIn.setLatency(0);
    await worker.stop().catch(() => undefined);
    await stripeCalls.close();
  }

  const rows: Row[] = [
    ...callRows('switch', switches, CALL_TARGETS.switchApi, CALL_TARGETS.switchWorker),
    ...callRows('removal', removals, CALL_TARGETS.removalApi, CALL_TARGETS.removalWorker),
  ];
  for (const { latencyMs } of runs) {
    const events = timed.get(latencyMs) ?? [];
    if (events.length === 0) continue;
    const handlerMs = median(events.map((event) => event.handlerMs));
    const roundTripMs = median(events.map((event) => event.roundTripMs));
    const target = FLOOR_ROUND_TRIPS + DYNAMODB_ALLOWANCE_MS / roundTripMs;
    rows.push(
      {
        figure: `${runtime.label}, Stripe +${latencyMs} ms: one switch (customer + one subscription following) ÷ one round trip`,
        value: `${milliseconds(handlerMs)} ÷ ${milliseconds(roundTripMs)} = ${times(handlerMs / roundTripMs)}`,
        target: `≤ ${times(target)} (floor ${FLOOR_ROUND_TRIPS}× + ${DYNAMODB_ALLOWANCE_MS} ms)`,
        pass: handlerMs / roundTripMs <= target,
        data: {
          samplesMs: events.map((event) => event.handlerMs),
          roundTripsMs: events.map((event) => event.roundTripMs),
        },
      },
      criticalPathRow(
        `${runtime.label}, Stripe +${latencyMs} ms: switch critical path, call by call`,
        events,
      ),
    );
  }
  const counts = runs.map((run) => `${run.events - 1} at +${run.latencyMs} ms`).join(', ');
  return {
    title: `9. Saved methods: calls per switch and removal, switch latency (medians of ${counts})`,
    rows,
    notes: [
      'Targets are the floor (bench/figures/saved-methods.ts explains each). DynamoDB counts are reported: per switch the API spends the budget and writes the change record; the worker claims, reads the owners, records each default owner, reads the followers’ owners and records the outcome. The worker is the deployed bundle in its own process, as in figure 4; the session API and the stand-ins run in the bench process.',
    ],
  };
}

function callRows(
  name: string,
  samples: { api: Counted; worker: Counted }[],
  apiTarget: number,
  workerTarget: number,
): Row[] {
  const spread = (values: number[]) =>
    Math.min(...values) === Math.max(...values)
      ? `${values[0]}`
      : `${Math.min(...values)}–${Math.max(...values)}`;
  const row = (side: 'api' | 'worker', target: number): Row => {
    const stripe = samples.map((sample) => sample[side].stripe);
    const dynamodb = samples.map((sample) => sample[side].dynamodb);
    return {
      figure: `${name}: ${side === 'api' ? 'session API' : 'worker'} requests`,
      value: `Stripe ${spread(stripe)}, DynamoDB ${spread(dynamodb)}`,
      target: `Stripe ${target}`,
      pass: stripe.every((value) => value === target),
      data: { stripe, dynamodb },
    };
  };
  return [row('api', apiTarget), row('worker', workerTarget)];
}
