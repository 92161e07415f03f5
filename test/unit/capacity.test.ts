import { STRIPE_CALLS_PER_SETUP } from '../../functions/setup-worker/time-budget';
import { STRIPE_CALLS_PER_REQUEST, STRIPE_WEBHOOK_ROUTE } from '../../functions/shared/routes';
import {
  CAPACITY_DEFAULTS,
  type CapacityInputs,
  type CapacityPlan,
  planCapacity,
  STATUS_POLLS_PER_SETUP,
  STRIPE_ACCOUNT_LIMITS,
} from '../../lib/capacity';

/*
 * The capacity plan derived from the operator's settings. Oracle for the limits it divides: Stripe's rate
 * limits page (https://docs.stripe.com/rate-limits: 25 requests/s in test mode, 100 live, per account,
 * shared by everything using it). What each route and each setup costs comes from routes.ts and
 * time-budget.ts, which the session API charges and the bench measures.
 */

function plan(inputs: Partial<CapacityInputs> & Pick<CapacityInputs, 'stripeMode'>): CapacityPlan {
  const result = planCapacity({ ...CAPACITY_DEFAULTS, ...inputs });
  if ('refused' in result) throw new Error(result.refused);
  return result;
}

describe('the plan for an operator who sets nothing', () => {
  it('live: the worker a fifth of 100 requests/s (2 × 10), the session API two fifths, the SaaS the rest', () => {
    const live = plan({ stripeMode: 'live' });
    expect(live).toMatchObject({
      stripeRateLimit: 100,
      workerStripeRequestsPerSecond: 20,
      worker: { maxConcurrency: 2, perInstance: 10 },
      workerSetupsPerSecond: 5,
      apiStripeCallsPerSecond: 40,
    });
    expect(live.routeThrottles['GET /payment-methods']).toEqual({ rateLimit: 10, burstLimit: 10 });
    expect(live.routeThrottles['DELETE /payment-methods/{id}']).toEqual({ rateLimit: 8, burstLimit: 8 });
  });

  it('test: the same fractions of 25 requests/s', () => {
    expect(plan({ stripeMode: 'test' })).toMatchObject({
      stripeRateLimit: STRIPE_ACCOUNT_LIMITS.test,
      workerStripeRequestsPerSecond: 5,
      worker: { maxConcurrency: 2, perInstance: 2 },
      apiStripeCallsPerSecond: 10,
    });
  });
});

describe('every plan it accepts keeps its promises', () => {
  const grid: CapacityInputs[] = [];
  for (const stripeMode of ['test', 'live'] as const)
    for (const stripeRateLimit of stripeMode === 'test' ? [25] : [100, 250, 1000])
      for (const workerStripeSharePercent of [10, 20, 40, 60])
        for (const apiStripeSharePercent of [20, 40])
          for (const peakSetupsPerSecond of [0.5, 1, 3, 10, 40])
            grid.push({
              stripeMode,
              stripeRateLimit,
              workerStripeSharePercent,
              apiStripeSharePercent,
              peakSetupsPerSecond,
            });
  const accepted = grid.flatMap((inputs) => {
    const result = planCapacity(inputs);
    return 'refused' in result ? [] : [{ inputs, plan: result }];
  });

  it('accepts some and refuses others (the grid spans both sides)', () => {
    expect(accepted.length).toBeGreaterThan(10);
    expect(accepted.length).toBeLessThan(grid.length);
  });

  it.each(accepted.map(({ inputs, plan }) => [JSON.stringify(inputs), inputs, plan] as const))(
    '%s',
    (_label, inputs, result) => {
      const limit = result.stripeRateLimit;
      const { maxConcurrency, perInstance } = result.worker;
      // The worker fleet stays within its share, and its share and the API's within the account's limit.
      expect(maxConcurrency * perInstance).toBeLessThanOrEqual(result.workerStripeRequestsPerSecond);
      expect(result.workerStripeRequestsPerSecond + result.apiStripeCallsPerSecond).toBeLessThanOrEqual(
        limit,
      );
      // The peak fits: the worker's Stripe requests, one session and the success page's polls per setup.
      expect(maxConcurrency * perInstance).toBeGreaterThanOrEqual(
        inputs.peakSetupsPerSecond * STRIPE_CALLS_PER_SETUP,
      );
      expect(result.routeThrottles['POST /checkout-sessions']?.rateLimit).toBeGreaterThanOrEqual(
        inputs.peakSetupsPerSecond,
      );
      expect(result.routeThrottles['GET /checkout-sessions/{id}']?.rateLimit).toBeGreaterThanOrEqual(
        inputs.peakSetupsPerSecond * STATUS_POLLS_PER_SETUP,
      );
      // No route alone can cause more Stripe calls than the session API's share, and each admits a request.
      for (const [route, throttle] of Object.entries(result.routeThrottles)) {
        if (route === STRIPE_WEBHOOK_ROUTE) continue;
        const calls = STRIPE_CALLS_PER_REQUEST[route as keyof typeof STRIPE_CALLS_PER_REQUEST];
        expect(throttle.rateLimit).toBeGreaterThanOrEqual(1);
        expect(Math.max(throttle.rateLimit, throttle.burstLimit) * calls).toBeLessThanOrEqual(
          result.apiStripeCallsPerSecond,
        );
      }
    },
  );
});

describe('refusals', () => {
  it('a peak beyond the worker’s share names the share to raise', () => {
    const result = planCapacity({ ...CAPACITY_DEFAULTS, stripeMode: 'live', peakSetupsPerSecond: 11.6 });
    expect(result).toEqual({ refused: expect.stringMatching(/^Context peakSetupsPerSecond 11.6 needs 47 /) });
  });

  it('an explicit stripeRequestsPerSecond below the peak’s need is refused, not silently raised', () => {
    const result = planCapacity({ ...CAPACITY_DEFAULTS, stripeMode: 'live', stripeRequestsPerSecond: 3 });
    expect(result).toEqual({ refused: expect.stringMatching(/^Context peakSetupsPerSecond 1 needs 4 /) });
  });
});
