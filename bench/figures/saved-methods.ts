import { setTimeout as sleep } from 'node:timers/promises';
import { toHttpApiEvent } from '../../dev/http-api/event';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { createStripeClient } from '../../functions/shared/stripe-client';
import type { BenchSettings } from '../settings';
import { milliseconds, type Row, type Section, times } from '../support/report';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import { BENCH_STRIPE_KEY, type BenchStandIns } from '../support/stand-ins';
import { median, nowMs } from '../support/stats';
import { processNextMessage, wireBenchWorker } from '../support/worker-runs';

/**
 * Targets from the floor, for a customer whose one subscription is on the card being replaced:
 * - a switch: the API must check the method is the caller's (1 Stripe read); the worker must learn which
 *   subscriptions are on the replaced card (1 list, which also carries the customer's default), then set the
 *   customer's default and the subscription's (2 writes). 1 + 3.
 * - a removal of an unused card: the API must read the subscriptions and the customer's default to refuse
 *   a removal that would leave one without a method, and the method itself (3 reads); the worker checks
 *   again, in order with the customer's other work, then detaches (2 reads + 1 write).
 * - switch latency: the list, then the customer update, then the follower update, one after another (the
 *   replaced method is checkpointed on the customer's owner record before the moves): 3 round trips; the
 *   target allows half a round trip more for DynamoDB and the queue's bookkeeping.
 */
const TARGETS = { switchApi: 1, switchWorker: 3, removalApi: 3, removalWorker: 3, latency: 3.5 };
const IDLE_BETWEEN_EVENTS_MS = 500;

interface Counted {
  stripe: number;
  dynamodb: number;
}

export async function measureSavedMethods(
  standIns: BenchStandIns,
  settings: BenchSettings,
): Promise<Section> {
  const { stripe, stripeStandIn, sqs } = standIns;
  const checkoutApi = wireCheckoutApi({ ...standIns.functionEnv, QUEUE_URL: sqs.queueUrl });
  const worker = wireBenchWorker(standIns, settings);
  // One round trip timed with a client built the way the worker builds its own (as figure 4 does).
  const roundTripClient = createStripeClient(BENCH_STRIPE_KEY, { apiBase: new URL(stripeStandIn.url) });
  const count = (settings.workerLatencyEvents[0] ?? 1) + 1;
  const stripeLatencyMs = settings.stripeLatenciesMs[0] ?? 0;
  const setups = await completedSetups(standIns, count);
  for (const setup of setups) {
    await deliverThroughWebhook(standIns, [setup], sqs.queueUrl);
    await processNextMessage(standIns, worker);
  }
  const counted = async (work: () => Promise<unknown>): Promise<Counted> => {
    stripeStandIn.clearRequests();
    standIns.dynamodbCalls.clear();
    await work();
    return { stripe: stripeStandIn.requests.length, dynamodb: standIns.dynamodbCalls.calls.length };
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

  const switches: { api: Counted; worker: Counted }[] = [];
  const removals: { api: Counted; worker: Counted }[] = [];
  const roundTripsMs: number[] = [];
  const switchMs: number[] = [];
  stripeStandIn.setLatency(stripeLatencyMs);
  try {
    for (const [index, setup] of setups.entries()) {
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
      let handlerMs = 0;
      const applied = await counted(async () => {
        handlerMs = (await processNextMessage(standIns, worker)).handlerMs;
      });
      // The first switch warms connections and code paths, as a warm Lambda instance already has.
      if (index > 0) {
        switches.push({ api, worker: applied });
        roundTripsMs.push(roundTripMs);
        switchMs.push(handlerMs);
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
      const removalWorker = await counted(() => processNextMessage(standIns, worker));
      if (index > 0) removals.push({ api: removalApi, worker: removalWorker });
      // The worker instance's limiter refills its burst before the next switch is timed.
      await sleep(IDLE_BETWEEN_EVENTS_MS);
    }
  } finally {
    stripeStandIn.setLatency(0);
  }

  const rows: Row[] = [
    ...callRows('switch', switches, TARGETS.switchApi, TARGETS.switchWorker),
    ...callRows('removal', removals, TARGETS.removalApi, TARGETS.removalWorker),
    {
      figure: 'one Stripe round trip (GET customer)',
      value: milliseconds(median(roundTripsMs)),
      target: '',
      data: { samplesMs: roundTripsMs },
    },
    {
      figure: 'switch in the worker (handler time, one subscription follows)',
      value: `${milliseconds(median(switchMs))} (${times(median(switchMs) / median(roundTripsMs))})`,
      target: `≤ ${TARGETS.latency}× round trip`,
      pass: median(switchMs) / median(roundTripsMs) <= TARGETS.latency,
      data: { samplesMs: switchMs },
    },
  ];
  return {
    title: `9. Saved methods: calls per switch and removal, switch latency (Stripe stand-in adds ${stripeLatencyMs} ms; median of ${switchMs.length})`,
    rows,
    notes: [
      'Targets are the floor (bench/figures/saved-methods.ts explains each). DynamoDB counts are reported: per switch the API writes the budget counter and the change record; the worker claims, reads the owners, records each default owner and the outcome.',
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
