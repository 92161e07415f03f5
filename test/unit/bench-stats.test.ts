import { coveredMs, percentile } from '../../bench/support/stats';

// The worker-latency figure splits an event's time into "waiting on Stripe", "on DynamoDB only" and "own
// code" with coveredMs: concurrent calls (the SetupIntent fetch beside the owners' read, the customer and
// subscription updates side by side) must count once.
describe('coveredMs', () => {
  it('counts overlapping intervals once and leaves gaps out', () => {
    expect(
      coveredMs([
        [0, 50],
        [10, 20],
        [40, 60],
        [100, 110],
      ]),
    ).toBe(70);
  });
  it('does not depend on the order the intervals come in', () => {
    expect(
      coveredMs([
        [100, 110],
        [40, 60],
        [0, 50],
      ]),
    ).toBe(
      coveredMs([
        [0, 50],
        [40, 60],
        [100, 110],
      ]),
    );
  });
  it('is 0 for no intervals', () => {
    expect(coveredMs([])).toBe(0);
  });
});

describe('percentile (nearest rank)', () => {
  it('takes the median of an even count as the lower middle sample', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
  });
});
