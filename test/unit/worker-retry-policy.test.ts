import {
  backoffSeconds,
  DEFAULT_RETRY_POLICY,
  dispositionOf,
  HAND_BACK_ALLOWANCE,
  queueTimingProblems,
  receivesWithinHorizon,
} from '../../functions/setup-worker/retry-policy';
import { setupsWithin, workerBatchSize } from '../../functions/setup-worker/time-budget';
import { DEFAULT_REQUEST_BUDGET, worstCaseCallMs } from '../../functions/shared/stripe-client';

// ChangeMessageVisibility takes whole seconds from 0 to 43,200 (12 hours)
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
describe('retry policy', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('doubles from the base to the cap, each delay jittered within its top quarter', () => {
    const lowest = [1, 2, 3, 4, 5, 6, 7, 20].map((count) => backoffSeconds(count, policy, () => 0));
    const highest = [1, 2, 3, 4, 5, 6, 7, 20].map((count) => backoffSeconds(count, policy, () => 0.999));
    expect(highest).toEqual([15, 30, 60, 120, 240, 480, 900, 900]);
    expect(lowest).toEqual([12, 23, 45, 90, 180, 360, 675, 675]);
  });

  it('hands unstarted work straight back, dead-letters past the horizon, and gives unexpected errors three receives', () => {
    const now = Date.UTC(2026, 0, 10);
    const fresh = { receiveCount: 1, sentAt: now - 1000 };
    expect(dispositionOf('out_of_time', fresh, policy, now)).toEqual({
      action: 'retry',
      visibilitySeconds: 0,
    });
    expect(dispositionOf('transient', fresh, policy, now, () => 0.999)).toEqual({
      action: 'retry',
      visibilitySeconds: 15,
    });
    const old = { receiveCount: 300, sentAt: now - policy.deadLetterAfterSeconds * 1000 };
    expect(dispositionOf('transient', old, policy, now)).toEqual({
      action: 'dead_letter',
      reason: 'waited_past_horizon',
    });
    expect(dispositionOf('unexpected', { ...fresh, receiveCount: 2 }, policy, now).action).toBe('retry');
    expect(dispositionOf('unexpected', { ...fresh, receiveCount: 3 }, policy, now)).toEqual({
      action: 'dead_letter',
      reason: 'keeps_failing',
    });
  });

  it('the default queue settings agree with the policy; a low receive count, short retention or long cap do not', () => {
    const needed = receivesWithinHorizon(policy) + HAND_BACK_ALLOWANCE;
    const deployed = {
      policy,
      visibilityTimeoutSeconds: 360,
      retentionSeconds: 4 * 86_400,
      maxReceiveCount: needed,
      consumerTimeoutSeconds: 60,
    };
    expect(queueTimingProblems(deployed)).toEqual([]);
    // The old setting: 5 receives of a 360 s timeout dead-letter any outage past half an hour.
    expect(queueTimingProblems({ ...deployed, maxReceiveCount: 5 }).join()).toMatch(
      /before the 72 h horizon/,
    );
    expect(queueTimingProblems({ ...deployed, retentionSeconds: 3 * 86_400 }).join()).toMatch(/retention/);
    expect(queueTimingProblems({ ...deployed, maxReceiveCount: 1000 }).join()).toMatch(/keep crashing/);
    expect(queueTimingProblems({ ...deployed, policy: { ...policy, capSeconds: 50_000 } }).join()).toMatch(
      /12-hour/,
    );
  });
});

describe('time budget', () => {
  it('one Stripe call at most 31.5 s with the SDK’s two retries; setups per invocation follow the instance’s rate', () => {
    const worst = worstCaseCallMs(DEFAULT_REQUEST_BUDGET);
    expect(worst).toBe(31_500);
    const budget = {
      timeMs: 60_000,
      stripeCallWorstCaseMs: worst,
      finishAllowanceMs: 3_000,
      callsPerSetup: 4,
    };
    // 25.5 s of grants: at 1 request/s six setups, at 10/s more than a batch.
    expect(setupsWithin({ ...budget, requestsPerSecond: 1 })).toBe(6);
    expect(workerBatchSize({ ...budget, requestsPerSecond: 1 })).toBe(6);
    expect(workerBatchSize({ ...budget, requestsPerSecond: 10 })).toBe(10);
    expect(setupsWithin({ ...budget, timeMs: 30_000, requestsPerSecond: 10 })).toBe(0);
  });
});
