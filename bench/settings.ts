import { CAPACITY_DEFAULTS, planCapacity, workerConcurrency } from '../lib/capacity';

/** How much work each figure does: `--quick` keeps CI under a minute, the full run under five. */
export interface BenchSettings {
  quick: boolean;
  /** Fresh processes per bundle and runtime for cold init (the issue asks for a median of at least 15). */
  coldInitRuns: number;
  /** CPU profiles of each deployed bundle's `require` on Node 24 (0: none). */
  profileRuns: number;
  /** Sequential webhook deliveries (and as many bare SendMessage calls), interleaved. */
  webhookRequests: number;
  /** Deliveries per side in the webhook throughput phase, `webhookConcurrency` in flight. */
  webhookThroughputRequests: number;
  webhookConcurrency: number;
  /**
   * Events timed one at a time per runtime against a Stripe that answers after each of `stripeLatenciesMs`
   * (50 ms, then a few hundred as production Stripe writes take), `workerLatencyEvents[i]` at the i-th.
   */
  workerLatencyEvents: number[];
  stripeLatenciesMs: number[];
  /** Events per calls-per-event scenario. */
  eventsPerScenario: number;
  /** Backlog drained under the Stripe rate limit. */
  backlogEvents: number;
  /** The Stripe account's limit the stand-in enforces (test mode: 25/s) and the worker's configured share. */
  stripeAccountLimit: number;
  workerShare: number;
  /** Requests sent to the session API in its memory run. */
  sessionApiRequests: number;
  /**
   * The live-like Stripe of the capacity figures: the live account limit (https://docs.stripe.com/rate-limits),
   * Stripe's default per-endpoint limit (25/s, same page), a production-like latency, the default live worker share
   * (`stripeRequestsPerSecond`, derived in lib/capacity.ts) and how many setups are drained.
   */
  live: {
    accountLimit: number;
    endpointLimit: number;
    latencyMs: number;
    workerShare: number;
    setups: number;
  };
  /** Success pages polling the status route at once, and how many polls each makes (the docs' loop over ~8 s). */
  statusPages: number;
  pollsPerPage: number;
  /** How long one caller hammers each route that reaches Stripe (figure 11). */
  hammerSecondsPerRoute: number;
}

/** The worker's share on a live stage with nothing set (lib/capacity.ts): what figure 10 measures. */
function defaultLiveWorkerShare(): number {
  const plan = planCapacity({ stripeMode: 'live', ...CAPACITY_DEFAULTS });
  if ('refused' in plan) throw new Error(plan.refused);
  return plan.workerStripeRequestsPerSecond;
}

export function benchSettings(quick: boolean): BenchSettings {
  return {
    quick,
    coldInitRuns: quick ? 7 : 15,
    profileRuns: quick ? 0 : 3,
    webhookRequests: quick ? 300 : 1000,
    webhookThroughputRequests: quick ? 300 : 1000,
    webhookConcurrency: 16,
    workerLatencyEvents: quick ? [3, 1] : [12, 6],
    stripeLatenciesMs: [50, 300],
    eventsPerScenario: quick ? 2 : 5,
    backlogEvents: quick ? 60 : 500,
    stripeAccountLimit: 25,
    workerShare: 20,
    sessionApiRequests: quick ? 100 : 400,
    live: {
      accountLimit: 100,
      endpointLimit: 25,
      latencyMs: 300,
      workerShare: defaultLiveWorkerShare(),
      setups: quick ? 40 : 200,
    },
    statusPages: quick ? 300 : 1000,
    pollsPerPage: 5,
    hammerSecondsPerRoute: quick ? 2 : 10,
  };
}

/** The worker's deployed shape for a share: how many instances at most, and each one's Stripe rate. */
export function workerShape(settings: BenchSettings) {
  return workerConcurrency(settings.workerShare);
}
