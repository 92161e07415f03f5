import { STRIPE_CALLS_PER_SETUP } from '../functions/setup-worker/time-budget';
import {
  CHECKOUT_API_ROUTES,
  SETUP_STATUS_ROUTE,
  STRIPE_CALLS_PER_REQUEST,
  STRIPE_WEBHOOK_ROUTE,
} from '../functions/shared/routes';

/*
 * Capacity by design. Stripe's rate limit is what every part of the service shares (DynamoDB, SQS FIFO and
 * Lambda are not the limit): an account allows 25 requests per second in test mode and 100 in live mode
 * unless Stripe has raised it (https://docs.stripe.com/rate-limits). The operator says how that limit is
 * split and what peak the service must carry; everything that spends Stripe requests is derived from it:
 *
 *   worker share    W = ⌊L × workerStripeSharePercent ÷ 100⌋ requests/s   → stripeRequestsPerSecond
 *   session API     A = ⌊L × apiStripeSharePercent ÷ 100⌋ Stripe calls/s
 *   route r         rate = burst = ⌊A ÷ c_r⌋ requests/s, c_r its Stripe calls per request (routes.ts)
 *   worker fleet    C = clamp(⌊W ÷ 10⌋, 2, 50) instances × ⌊W ÷ C⌋ requests/s each
 *
 * and checked against the peak P (setups per second) it must carry: the worker fleet's C × ⌊W ÷ C⌋ ≥ 4P
 * (Stripe requests per setup), `POST /checkout-sessions` ≥ P (one session per setup), the status route
 * ≥ 5P (a success page polls about 5 times: docs/integrate.md). Whatever the shares leave (L − W − A) is the
 * SaaS's own.
 */

/** Stripe's documented default rate limit per account (https://docs.stripe.com/rate-limits). */
export const STRIPE_ACCOUNT_LIMITS = { test: 25, live: 100 } as const;
/** Status polls a success page makes while its setup is applied (the loop in docs/integrate.md, about 8 s). */
export const STATUS_POLLS_PER_SETUP = 5;
/** Events Stripe sends per setup to the webhook: checkout.session.completed and setup_intent.succeeded. */
export const WEBHOOK_EVENTS_PER_SETUP = 2;
/**
 * The webhook route's throttle: its events at peak, four times over (Stripe's retries after an outage of the
 * endpoint arrive on top of new events, and the recovery events beside them), and never below 25/s. The
 * webhook makes no Stripe call; its throttle keeps unsigned junk from spending the session routes' limits.
 */
export const WEBHOOK_HEADROOM = 4;
export const WEBHOOK_LEAST_RATE = 25;

/** What an operator who sets nothing gets: a fifth of the limit for the worker, two fifths for the API. */
export const CAPACITY_DEFAULTS = {
  workerStripeSharePercent: 20,
  apiStripeSharePercent: 40,
  peakSetupsPerSecond: 1,
} as const;

export interface CapacityInputs {
  stripeMode: 'test' | 'live';
  /** The account's limit, requests/s; unset: Stripe's default for the mode. */
  stripeRateLimit?: number;
  workerStripeSharePercent: number;
  apiStripeSharePercent: number;
  peakSetupsPerSecond: number;
  /** Older explicit settings, kept only where they agree with the shares and the peak. */
  stripeRequestsPerSecond?: number;
  statusThrottleRateLimit?: number;
  statusThrottleBurstLimit?: number;
}

export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}

export interface CapacityPlan {
  stripeRateLimit: number;
  peakSetupsPerSecond: number;
  /** The worker's share of the account's limit (stripeRequestsPerSecond). */
  workerStripeRequestsPerSecond: number;
  worker: { maxConcurrency: number; perInstance: number };
  /** Setups per second the worker fleet's Stripe rate carries. */
  workerSetupsPerSecond: number;
  /** Stripe calls per second any one session API route may cause. */
  apiStripeCallsPerSecond: number;
  /** API Gateway route throttles, by route key: every route that reaches Stripe, and the webhook. */
  routeThrottles: Record<string, RouteThrottle>;
}

/**
 * Worker concurrency, so the worker never takes more than its share S of the Stripe account's limit: each
 * instance runs a token bucket of S / C requests per second, C being the event source's maximum
 * concurrency, so C instances together stay within S however fast Stripe answers; C leaves each instance room
 * for a whole setup (≤ 4 requests) per second or more: C = clamp(⌊S / 10⌋, 2, 50). 2 is the least maximum
 * concurrency an SQS event source accepts. The SDK's own retries of a failed request are not metered.
 */
export function workerConcurrency(stripeRequestsPerSecond: number) {
  const maxConcurrency = Math.min(50, Math.max(2, Math.floor(stripeRequestsPerSecond / 10)));
  // Rounded down, never up: C × perInstance must stay within S even for a small share.
  const perInstance = Math.max(1, Math.floor(stripeRequestsPerSecond / maxConcurrency));
  return { maxConcurrency, perInstance };
}

const SESSION_ROUTE = 'POST /checkout-sessions';

/** The plan, or the first setting that cannot work, as one line naming it. */
export function planCapacity(inputs: CapacityInputs): CapacityPlan | { refused: string } {
  const modeLimit = STRIPE_ACCOUNT_LIMITS[inputs.stripeMode];
  const limit = inputs.stripeRateLimit ?? modeLimit;
  // Stripe raises a live account's limit on request; test mode stays at its documented 25.
  if (inputs.stripeMode === 'test' && limit > modeLimit) {
    return { refused: `Context stripeRateLimit must be at most ${modeLimit} in test mode (got ${limit}).` };
  }
  const shares = inputs.workerStripeSharePercent + inputs.apiStripeSharePercent;
  if (shares > 100) {
    return {
      refused: `Context workerStripeSharePercent (${inputs.workerStripeSharePercent}) and apiStripeSharePercent (${inputs.apiStripeSharePercent}) add up to ${shares} % of the Stripe account's limit: at most 100.`,
    };
  }
  const share = Math.floor((limit * inputs.workerStripeSharePercent) / 100);
  const sharing = `workerStripeSharePercent ${inputs.workerStripeSharePercent} of stripeRateLimit ${limit} = ${share} requests/s`;
  if (share < 2) {
    return { refused: `Context workerStripeSharePercent leaves the worker under 2 requests/s (${sharing}).` };
  }
  const workerRate = inputs.stripeRequestsPerSecond ?? share;
  if (workerRate < 2 || workerRate > share) {
    return {
      refused: `Context stripeRequestsPerSecond must be from 2 to the worker's share (${sharing}; got ${workerRate}).`,
    };
  }
  const worker = workerConcurrency(workerRate);
  const fleetRate = worker.maxConcurrency * worker.perInstance;
  const peak = inputs.peakSetupsPerSecond;
  if (fleetRate < peak * STRIPE_CALLS_PER_SETUP) {
    return {
      refused: `Context peakSetupsPerSecond ${peak} needs ${Math.ceil(peak * STRIPE_CALLS_PER_SETUP)} Stripe requests/s for the worker (${STRIPE_CALLS_PER_SETUP} a setup); it has ${fleetRate} (${worker.maxConcurrency} instances × ${worker.perInstance}): raise workerStripeSharePercent, or stripeRateLimit once Stripe has raised the account's limit.`,
    };
  }

  const api = Math.floor((limit * inputs.apiStripeSharePercent) / 100);
  const stripeRoutes = CHECKOUT_API_ROUTES.filter((route) => STRIPE_CALLS_PER_REQUEST[route] > 0);
  const costliest = Math.max(...stripeRoutes.map((route) => STRIPE_CALLS_PER_REQUEST[route]));
  if (api < costliest) {
    return {
      refused: `Context apiStripeSharePercent ${inputs.apiStripeSharePercent} of stripeRateLimit ${limit} leaves the session API ${api} Stripe calls/s, fewer than its costliest request makes (${costliest}).`,
    };
  }
  const routeThrottles: Record<string, RouteThrottle> = {};
  for (const route of stripeRoutes) {
    const rate = Math.floor(api / STRIPE_CALLS_PER_REQUEST[route]);
    routeThrottles[route] = { rateLimit: rate, burstLimit: rate };
  }
  const status = statusThrottle(inputs, api);
  if ('refused' in status) return status;
  routeThrottles[SETUP_STATUS_ROUTE] = status;
  const sessionRate = routeThrottles[SESSION_ROUTE]?.rateLimit ?? 0;
  if (sessionRate < peak) {
    return {
      refused: `Context peakSetupsPerSecond ${peak} needs ${SESSION_ROUTE} at ${Math.ceil(peak)}/s; apiStripeSharePercent ${inputs.apiStripeSharePercent} of stripeRateLimit ${limit} allows ${sessionRate}/s (${STRIPE_CALLS_PER_REQUEST[SESSION_ROUTE]} Stripe calls each).`,
    };
  }
  if (status.rateLimit < peak * STATUS_POLLS_PER_SETUP) {
    return {
      refused: `Context peakSetupsPerSecond ${peak} needs the status route at ${Math.ceil(peak * STATUS_POLLS_PER_SETUP)} polls/s (${STATUS_POLLS_PER_SETUP} a setup); it allows ${status.rateLimit}/s: raise apiStripeSharePercent or statusThrottleRateLimit.`,
    };
  }
  const webhookRate = Math.max(
    WEBHOOK_LEAST_RATE,
    Math.ceil(peak * WEBHOOK_EVENTS_PER_SETUP * WEBHOOK_HEADROOM),
  );
  routeThrottles[STRIPE_WEBHOOK_ROUTE] = { rateLimit: webhookRate, burstLimit: 2 * webhookRate };
  return {
    stripeRateLimit: limit,
    peakSetupsPerSecond: peak,
    workerStripeRequestsPerSecond: workerRate,
    worker,
    workerSetupsPerSecond: fleetRate / STRIPE_CALLS_PER_SETUP,
    apiStripeCallsPerSecond: api,
    routeThrottles,
  };
}

/**
 * The status route's throttle: derived like every Stripe route's (each poll may be a Stripe read), or the
 * operator's explicit one, which may not let the route spend more than the session API's share.
 */
function statusThrottle(inputs: CapacityInputs, api: number): RouteThrottle | { refused: string } {
  const derived = Math.floor(api / STRIPE_CALLS_PER_REQUEST[SETUP_STATUS_ROUTE]);
  const rateLimit = inputs.statusThrottleRateLimit ?? derived;
  const burstLimit = inputs.statusThrottleBurstLimit ?? rateLimit;
  for (const [key, value] of [
    ['statusThrottleRateLimit', rateLimit],
    ['statusThrottleBurstLimit', burstLimit],
  ] as const) {
    if (value < 1 || value > derived) {
      return {
        refused: `Context ${key} must be from 1 to the session API's Stripe share, ${derived} (apiStripeSharePercent ${inputs.apiStripeSharePercent}; got ${value}).`,
      };
    }
  }
  return { rateLimit, burstLimit };
}
