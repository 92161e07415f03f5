import { createTokenBucket, JITTER_ALLOWANCE_MS, rateLimited } from '../../functions/shared/rate-limiter';

/** A clock that only moves when the limiter sleeps, so these tests take no real time and assert none. */
function virtualClock() {
  let current = 0;
  return {
    now: () => current,
    sleep: async (ms: number) => {
      current += ms;
    },
  };
}

/** The most acquisitions that fall in any half-open window (t - windowMs, t]. */
function busiest(times: number[], windowMs = 1000): number {
  return Math.max(...times.map((end) => times.filter((at) => at > end - windowMs && at <= end).length));
}

async function acquireAll(count: number, ratePerSecond: number, burst?: number) {
  const clock = virtualClock();
  const limiter = createTokenBucket(ratePerSecond, burst, clock.now, clock.sleep);
  const granted: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => limiter.acquire().then(() => granted.push(clock.now()))),
  );
  return granted;
}

describe('the Stripe request limiter', () => {
  it('an idle instance sends one whole setup (4 requests) at once', async () => {
    expect(await acquireAll(4, 10)).toEqual([0, 0, 0, 0]);
  });

  it('never grants more than its rate in any one second, with room for network jitter, whatever the burst', async () => {
    for (const burst of [undefined, 1, 4, 10, 25]) {
      const granted = await acquireAll(60, 10, burst);
      // Requests arriving up to JITTER_ALLOWANCE_MS apart from when they were granted still fit.
      expect(busiest(granted, 1000 + JITTER_ALLOWANCE_MS)).toBeLessThanOrEqual(10);
    }
  });

  it('sustains all but the jitter allowance of its rate on a backlog', async () => {
    const granted = await acquireAll(101, 10);
    const seconds = ((granted.at(-1) ?? 0) - (granted[0] ?? 0)) / 1000;
    // 101 grants span 100 intervals; the jitter allowance costs about 2 %, the opening burst gains a little.
    expect(100 / seconds).toBeGreaterThanOrEqual(9.75);
    expect(100 / seconds).toBeLessThanOrEqual(10.5);
  });

  it('on a backlog, spreads requests at least 1/r apart after the opening burst instead of clumping', async () => {
    const granted = await acquireAll(40, 10);
    expect(granted.slice(0, 10)).toEqual([0, 0, 0, 0, 100, 200, 300, 400, 500, 600]);
    const gaps = granted.slice(11).map((at, index) => at - (granted[index + 10] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(100 + JITTER_ALLOWANCE_MS);
  });

  it('wraps a client factory so each call waits for exactly one grant', async () => {
    let acquired = 0;
    const limited = rateLimited(async () => 'client', {
      acquire: async () => {
        acquired += 1;
      },
    });
    expect(await limited()).toBe('client');
    expect(await limited()).toBe('client');
    expect(acquired).toBe(2);
  });
});
