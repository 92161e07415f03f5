/**
 * How the worker gives a record it could not finish back to the queue. Lambda's event source mapping leaves
 * a failed record invisible for the queue's whole visibility timeout and the redrive policy dead-letters it
 * after `maxReceiveCount` receives (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html),
 * so a fixed count turns any outage longer than count × timeout into dead letters. Instead the worker sets
 * each failed record's visibility itself (ChangeMessageVisibility, which may shorten or extend an in-flight
 * message's timeout, up to 12 hours:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html):
 * growing and jittered up to a cap for transient failures, so retries thin out during an outage, and only a
 * record that waited past the horizon (Stripe's own webhook retries last 3 days:
 * https://docs.stripe.com/webhooks#retries) or failed unexpectedly several times is dead-lettered.
 */
export interface RetryPolicy {
  /** The first retry's delay; each further receive doubles it, up to the cap. */
  baseSeconds: number;
  capSeconds: number;
  /** A record in line longer than this (since SQS first accepted it) is dead-lettered, not retried. */
  deadLetterAfterSeconds: number;
}

/** SQS's ceiling on a message's visibility timeout (ChangeMessageVisibility's VisibilityTimeout). */
export const MAX_VISIBILITY_SECONDS = 43_200;
/** Jitter keeps each delay within [JITTER_FLOOR × d, d], so waiting records spread out, never bunch up. */
export const JITTER_FLOOR = 0.75;
/** An error the worker does not know as passing is retried this many receives before it is dead-lettered. */
export const UNEXPECTED_FAILURE_RECEIVES = 3;
/**
 * Receives a record may use without a failure of its own: handed back unstarted when the invocation ran out
 * of time, or refused because another worker held its claim. The redrive policy's count must leave room.
 */
export const HAND_BACK_ALLOWANCE = 50;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseSeconds: 15,
  capSeconds: 900,
  deadLetterAfterSeconds: 72 * 3600,
};

/** The visibility to set after a record's `receiveCount`-th receive failed for a passing reason. */
export function backoffSeconds(
  receiveCount: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(receiveCount, 1) - 1, 30);
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** exponent);
  const jittered = ceiling * (JITTER_FLOOR + (1 - JITTER_FLOOR) * random());
  // SQS takes whole seconds; rounding up keeps the delay at or above its floor.
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(jittered)));
}

/**
 * The most receives a record that fails for passing reasons can use before it has waited past the horizon:
 * every delay at its jittered floor. The redrive policy's `maxReceiveCount` must be above this, or SQS
 * dead-letters it before the horizon.
 */
export function receivesWithinHorizon(policy: RetryPolicy): number {
  let receives = 0;
  for (let waited = 0; waited < policy.deadLetterAfterSeconds; receives++) {
    const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.min(receives, 30));
    waited += Math.max(1, Math.floor(ceiling * JITTER_FLOOR));
  }
  return receives + 1;
}

export type FailureKind =
  /** Stripe 5xx, 429 or unreachable, AWS throttling or a 5xx, a secret refused: the next attempt may work. */
  | 'transient'
  /** Another worker holds the claim: back after a delay, like a passing failure. */
  | 'busy'
  /** Never started, or stopped before its next Stripe call, because the invocation was running out of time. */
  | 'out_of_time'
  /** Anything else: a fault no retry is known to fix. */
  | 'unexpected';

export type Disposition =
  | { action: 'retry'; visibilitySeconds: number }
  | { action: 'dead_letter'; reason: 'waited_past_horizon' | 'keeps_failing' };

export interface ReceivedRecord {
  receiveCount: number;
  /** When SQS first accepted the message (SentTimestamp), epoch milliseconds. */
  sentAt: number;
}

/** What becomes of a record the worker could not finish. */
export function dispositionOf(
  kind: FailureKind,
  record: ReceivedRecord,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): Disposition {
  // Unstarted work goes straight back: no failure happened, and the next invocation has time for it.
  if (kind === 'out_of_time') return { action: 'retry', visibilitySeconds: 0 };
  const waitedSeconds = (now - record.sentAt) / 1000;
  if (waitedSeconds >= policy.deadLetterAfterSeconds) {
    return { action: 'dead_letter', reason: 'waited_past_horizon' };
  }
  if (kind === 'unexpected' && record.receiveCount >= UNEXPECTED_FAILURE_RECEIVES) {
    return { action: 'dead_letter', reason: 'keeps_failing' };
  }
  return { action: 'retry', visibilitySeconds: backoffSeconds(record.receiveCount, policy, random) };
}

export interface QueueTimings {
  policy: RetryPolicy;
  /** The queue's own visibility timeout: what a record gets when the worker cannot set one (a crash). */
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  maxReceiveCount: number;
  /** The worker's Lambda timeout. */
  consumerTimeoutSeconds: number;
}

/**
 * The queue's settings and the retry policy must agree, or records are lost or dead-lettered early:
 * - the cap is a visibility SQS accepts, and at least the base;
 * - a record is dead-lettered by the worker (horizon) before SQS's redrive count could do it;
 * - a record that waited to the horizon, plus one more delay and one attempt, is still retained — SQS
 *   deletes a message past its retention period without dead-lettering it
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html);
 * - a record whose every invocation crashes (so comes back only after the queue's visibility timeout)
 *   reaches the redrive count before its retention ends.
 * Returns the problems, empty when they agree.
 */
export function queueTimingProblems(timings: QueueTimings): string[] {
  const { policy } = timings;
  const problems: string[] = [];
  if (policy.baseSeconds < 1 || policy.capSeconds < policy.baseSeconds) {
    problems.push(
      `the backoff cap (${policy.capSeconds} s) must be at least its base (${policy.baseSeconds} s)`,
    );
  }
  if (policy.capSeconds > MAX_VISIBILITY_SECONDS) {
    problems.push(`the backoff cap (${policy.capSeconds} s) is above SQS's 12-hour visibility limit`);
  }
  if (timings.visibilityTimeoutSeconds < timings.consumerTimeoutSeconds) {
    problems.push('the queue visibility timeout must be at least the worker timeout (Lambda refuses it)');
  }
  const needed = receivesWithinHorizon(policy) + HAND_BACK_ALLOWANCE;
  if (timings.maxReceiveCount < needed) {
    problems.push(
      `maxReceiveCount ${timings.maxReceiveCount} would dead-letter records before the ${hours(policy.deadLetterAfterSeconds)} horizon: it must be at least ${needed}`,
    );
  }
  const lastAttemptEnds = policy.deadLetterAfterSeconds + policy.capSeconds + timings.consumerTimeoutSeconds;
  if (timings.retentionSeconds <= lastAttemptEnds) {
    problems.push(
      `the queue retention (${hours(timings.retentionSeconds)}) must outlast the horizon plus one backoff and one attempt (${hours(lastAttemptEnds)})`,
    );
  }
  const crashLoop = timings.maxReceiveCount * timings.visibilityTimeoutSeconds;
  if (crashLoop >= timings.retentionSeconds) {
    problems.push(
      `maxReceiveCount ${timings.maxReceiveCount} × the visibility timeout (${timings.visibilityTimeoutSeconds} s) outlasts the retention: a record whose invocations keep crashing would expire, not be dead-lettered`,
    );
  }
  return problems;
}

function hours(seconds: number): string {
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}
