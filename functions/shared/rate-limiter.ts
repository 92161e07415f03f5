/**
 * A token bucket: at most `ratePerSecond` acquisitions per second on average, `burst` at once. One Lambda
 * instance handles one invocation at a time, so a bucket per instance with rate = (the worker's share of
 * Stripe's limit) / (the event source's maximum concurrency) keeps the whole fleet within its share.
 */
export interface RateLimiter {
  acquire(): Promise<void>;
}

export const unlimited: RateLimiter = { acquire: async () => {} };

export function createTokenBucket(
  ratePerSecond: number,
  burst: number = Math.max(1, Math.floor(ratePerSecond)),
  now: () => number = Date.now,
): RateLimiter {
  let tokens = burst;
  let refilledAt = now();
  // Waiters queue in order, so a burst of callers is spread out instead of all waking together.
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - refilledAt) / 1000) * ratePerSecond);
    refilledAt = at;
  };

  return {
    acquire() {
      const turn = queue.then(async () => {
        refill();
        if (tokens < 1) {
          await new Promise((resolve) =>
            setTimeout(resolve, Math.ceil(((1 - tokens) / ratePerSecond) * 1000)),
          );
          refill();
        }
        tokens -= 1;
      });
      queue = turn;
      return turn;
    },
  };
}

/** Wraps an async factory so every call first waits for a token: one call per outgoing request. */
export function rateLimited<T>(next: () => Promise<T>, limiter: RateLimiter): () => Promise<T> {
  return async () => {
    await limiter.acquire();
    return next();
  };
}
