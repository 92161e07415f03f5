import { currentDeadline, OutOfTime } from './invocation-deadline';

/**
 * The worker's client-side limit on Stripe requests. Stripe counts requests per account in a one-second
 * window (live 100/s, test 25/s: https://docs.stripe.com/rate-limits), and the SaaS's own traffic shares
 * that budget, so the worker is given a share S and each of its instances a rate r = S / C, C being the
 * event source's maximum concurrency (`workerConcurrency` in lib/setup-mode-service-stack.ts). One Lambda
 * instance handles one invocation at a time, so C instances at r each stay within S.
 */
export interface RateLimiter {
  /** Waits for a grant; with a deadline, throws OutOfTime instead of granting later than it. */
  acquire(deadlineMs?: number): Promise<void>;
}

export const unlimited: RateLimiter = {
  acquire: async (deadlineMs) => {
    if (deadlineMs !== undefined && Date.now() > deadlineMs) throw new OutOfTime('another Stripe request');
  },
};

const WINDOW_MS = 1000;
/**
 * Requests reach Stripe a few milliseconds after they are granted, not all equally late. Without slack a
 * grant exactly one second after the one r grants back could land in the same second at Stripe as it,
 * making r + 1; waiting this much longer absorbs that jitter for about 2 % of throughput at r = 10.
 */
export const JITTER_ALLOWANCE_MS = 20;
/** One whole setup (retrieve, attach, two updates) goes out at once from an idle instance. */
export const DEFAULT_BURST = 4;

/**
 * A token bucket (rate r, a small burst) capped by a sliding window: never more than r acquisitions in
 * any one second (plus JITTER_ALLOWANCE_MS). The bucket spreads requests out evenly; the window is what
 * makes the share a hard limit.
 * A bucket alone lets an instance that was idle spend its burst and then a full second's refill within one
 * second (burst + r), so C instances starting on a backlog together would overshoot S by C × burst and
 * meet Stripe's 429s.
 */
export function createTokenBucket(
  ratePerSecond: number,
  burst: number = Math.min(DEFAULT_BURST, Math.max(1, Math.floor(ratePerSecond))),
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): RateLimiter {
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  let tokens = burst;
  let refilledAt = now();
  /** When the last `perWindow` acquisitions happened, oldest first. */
  const recent: number[] = [];
  // Waiters queue in order, so a burst of callers is spread out instead of all waking together.
  let queue: Promise<void> = Promise.resolve();

  const millisecondsToWait = () => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - refilledAt) / 1000) * ratePerSecond);
    refilledAt = at;
    const forToken = tokens >= 1 ? 0 : ((1 - tokens) / ratePerSecond) * 1000;
    const oldest = recent.length < perWindow ? undefined : recent[0];
    const forWindow = oldest === undefined ? 0 : oldest + WINDOW_MS + JITTER_ALLOWANCE_MS - at;
    return Math.max(forToken, forWindow);
  };

  return {
    acquire(deadlineMs) {
      const turn = queue.then(async () => {
        let waited = false;
        // Re-checked after every sleep: timers may fire a little early against the wall clock.
        for (let wait = millisecondsToWait(); ; wait = millisecondsToWait()) {
          // Refused before sleeping, so a caller out of time leaves its turn (and its token) to the next.
          if (deadlineMs !== undefined && now() + Math.max(wait, 0) > deadlineMs) {
            throw new OutOfTime('another Stripe request');
          }
          if (wait <= 0) break;
          await sleep(Math.ceil(wait));
          waited = true;
        }
        // Tokens gathered while callers were waiting on the window are not a burst to spend: only an idle
        // instance earns one. Otherwise each second would open with a clump of `burst` requests.
        if (waited) tokens = Math.min(tokens, 1);
        tokens -= 1;
        recent.push(now());
        if (recent.length > perWindow) recent.shift();
      });
      // A refused caller must not hold up the callers queued behind it.
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * Wraps an async factory so every call first waits for a token: one call per outgoing request. Inside a
 * worker invocation (runBefore) a request that could not be granted before its deadline is refused.
 */
export function rateLimited<T>(next: () => Promise<T>, limiter: RateLimiter): () => Promise<T> {
  return async () => {
    await limiter.acquire(currentDeadline());
    return next();
  };
}
