/**
 * How many setups one worker invocation can take on. Each setup makes a few Stripe requests, each granted
 * by the instance's rate limiter (rate-limiter.ts) at `requestsPerSecond`; no request is granted later than
 * the invocation's end less one worst-case call and the writes after it (handler.ts). So an invocation has
 * room for `(timeout − worst call − finish) × rate ÷ calls per setup` setups. The event source mapping's
 * batch size is derived from this at synth, and the handler hands back, unstarted, what does not fit in the
 * time it actually has left.
 */
export interface TimeBudget {
  /** The invocation's time, or what is left of it. */
  timeMs: number;
  stripeCallWorstCaseMs: number;
  finishAllowanceMs: number;
  /** The instance's Stripe rate; unset means no client-side limit. */
  requestsPerSecond?: number;
  callsPerSetup: number;
}

/**
 * Requests one setup makes when nothing is skipped: the SetupIntent (with the customer's default), the
 * subscription's default where no owner record says, and the customer and subscription updates
 * (bench/figures/calls-per-event.ts measures it).
 */
export const STRIPE_CALLS_PER_SETUP = 4;

export function setupsWithin(budget: TimeBudget): number {
  const windowMs = budget.timeMs - budget.stripeCallWorstCaseMs - budget.finishAllowanceMs;
  if (windowMs <= 0) return 0;
  if (budget.requestsPerSecond === undefined) return Number.POSITIVE_INFINITY;
  return Math.floor(((windowMs / 1000) * budget.requestsPerSecond) / budget.callsPerSetup);
}

/** The event source mapping's batch size: what a whole invocation has room for, at most SQS FIFO's 10. */
export function workerBatchSize(budget: TimeBudget): number {
  return Math.max(1, Math.min(10, setupsWithin(budget)));
}
