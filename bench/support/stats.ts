/** The p-th percentile (0–100) by nearest rank over a copy of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const sum = (samples: readonly number[]) => samples.reduce((total, sample) => total + sample, 0);

export const mean = (samples: readonly number[]) => sum(samples) / samples.length;

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export const nowMs = () => performance.now();

/** A span of time, `[start, end]` in milliseconds. */
export type Interval = [number, number];

/** How long at least one of the intervals was open: overlaps count once, gaps not at all. */
export function coveredMs(intervals: readonly Interval[]): number {
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (end > reach) {
      total += end - Math.max(start, reach);
      reach = end;
    }
  }
  return total;
}
