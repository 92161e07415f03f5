import { setTimeout as sleep } from 'node:timers/promises';
import { createStripeClient } from '../../functions/shared/stripe-client';
import type { BenchSettings } from '../settings';
import { milliseconds, type Section, times } from '../support/report';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import { BENCH_STRIPE_KEY, type BenchStandIns } from '../support/stand-ins';
import { median, nowMs, sum } from '../support/stats';
import { processNextMessage, wireBenchWorker } from '../support/worker-runs';

const TARGET = 2.3;
/** Long enough for the instance's limiter to refill its burst, so each event meets an idle worker. */
const IDLE_BETWEEN_EVENTS_MS = 500;

/**
 * Per event, with the stand-in answering every request after a fixed latency: the worker's handler time
 * for one customer + subscription setup, against one Stripe round trip measured just before it with an SDK
 * client built the way the worker builds its own.
 */
export async function measureWorkerLatency(
  standIns: BenchStandIns,
  settings: BenchSettings,
): Promise<Section> {
  const { stripeStandIn } = standIns;
  const setups = await completedSetups(standIns, settings.workerLatencyEvents + 1);
  const worker = wireBenchWorker(standIns, settings);
  const stripe = createStripeClient(BENCH_STRIPE_KEY, { apiBase: new URL(stripeStandIn.url) });
  const roundTripsMs: number[] = [];
  const eventsMs: number[] = [];
  const dynamodbMs: number[] = [];
  let dynamodbCalls = 0;
  stripeStandIn.setLatency(settings.stripeLatencyMs);
  try {
    for (const [index, setup] of setups.entries()) {
      await deliverThroughWebhook(standIns, [setup], standIns.sqs.queueUrl);
      const started = nowMs();
      await stripe.customers.retrieve(setup.customerId);
      const roundTripMs = nowMs() - started;
      standIns.dynamodbCalls.clear();
      const { handlerMs } = await processNextMessage(standIns, worker);
      const dynamodbCallsMs = standIns.dynamodbCalls.calls.map((call) => call.durationMs);
      // The first event warms connections and code paths, as a warm Lambda instance already has.
      if (index > 0) {
        roundTripsMs.push(roundTripMs);
        eventsMs.push(handlerMs);
        dynamodbMs.push(sum(dynamodbCallsMs));
        dynamodbCalls = dynamodbCallsMs.length;
      }
      await sleep(IDLE_BETWEEN_EVENTS_MS);
    }
  } finally {
    stripeStandIn.setLatency(0);
  }
  const ratio = median(eventsMs) / median(roundTripsMs);
  return {
    title: `4. Worker latency per event (Stripe stand-in adds ${settings.stripeLatencyMs} ms per request; median of ${eventsMs.length})`,
    rows: [
      {
        figure: 'one Stripe round trip (GET customer)',
        value: milliseconds(median(roundTripsMs)),
        target: '',
        data: { samplesMs: roundTripsMs },
      },
      {
        figure: 'one event, customer + subscription, ÷ one round trip',
        value: `${milliseconds(median(eventsMs))} = ${times(ratio)}`,
        target: `≤ ${TARGET}× (floor 2×)`,
        pass: ratio <= TARGET,
        data: { samplesMs: eventsMs, ratio },
      },
      {
        figure: 'of which DynamoDB (dynalite), summed over the event’s calls',
        value: `${milliseconds(median(dynamodbMs))} in ${dynamodbCalls} calls`,
        target: '',
        data: { samplesMs: dynamodbMs, calls: dynamodbCalls },
      },
    ],
    notes: [
      `Worker latency: the real handler (wireSetupWorker, limiter at the deployed per-instance rate) on one-record batches, ${IDLE_BETWEEN_EVENTS_MS} ms apart so each event meets an idle instance; DynamoDB calls go to dynalite through the counting proxy.`,
    ],
  };
}
