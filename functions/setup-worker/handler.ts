import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ApplyDefaultChangeDeps, applyDefaultChange } from '../shared/flow/apply-default-change';
import { applyDefaultPaymentMethod, SetupBusy } from '../shared/flow/apply-default-payment-method';
import { parseDefaultChangeMessage } from '../shared/flow/default-change-message';
import { applyRecoveryEvent, type RecoveryDeps } from '../shared/flow/recovery/apply-recovery-event';
import { parseRecoveryMessage, type RecoveryMessage } from '../shared/flow/recovery/recovery-message';
import { parseSetupMessage } from '../shared/flow/setup-message';
import { OutOfTime, runBefore } from '../shared/invocation-deadline';
import { describeError } from '../shared/logger';
import type { ServiceMetrics } from '../shared/observability';
import { failureKindOf } from './failure-kind';
import { dispositionOf, type FailureKind, type RetryPolicy } from './retry-policy';
import { STRIPE_CALLS_PER_SETUP, setupsWithin } from './time-budget';
import type { WorkQueue } from './work-queue';

/** A setup's dependencies, and the claim records of the default changes the API enqueues on the same queue. */
export interface SetupWorkerDeps extends ApplyDefaultChangeDeps {
  metrics: ServiceMetrics;
  /** Where failed records are handed back with backoff, or dead-lettered; unset leaves both to the queue. */
  workQueue?: WorkQueue;
  retryPolicy: RetryPolicy;
  /**
   * The longest one Stripe call can take with the SDK's retries (stripe-client.ts), and what must remain
   * after the last one for DynamoDB, EventBridge and the hand-back: no Stripe call starts later than
   * the invocation's end less both.
   */
  stripeCallWorstCaseMs: number;
  finishAllowanceMs: number;
  /** This instance's Stripe rate (the limiter's), which bounds how many setups fit in the time left. */
  stripeRequestsPerSecond?: number;
  /** The recovery events' work: failed renewals, expiring cards, changes made elsewhere. */
  recovery: Omit<RecoveryDeps, 'log'>;
}

const OUTCOME_METRICS = {
  applied: 'DefaultsApplied',
  superseded: 'SetupsSuperseded',
  pending: 'SetupsPending',
  failed: 'PermanentFailures',
} as const;

/** A customer's records not finished in this invocation: the first one's failure, and the rest held behind it. */
interface Unfinished {
  kind: FailureKind;
  records: SQSRecord[];
}

/**
 * Consumes setup messages and answers with a partial batch response, so only the records that failed are
 * delivered again. Records are worked on one at a time per customer (the message group on a FIFO queue)
 * and in parallel across customers; after a failure, the rest of that customer's records in the batch are
 * handed back too, with the same delay, which keeps a FIFO group in order as Lambda requires. A record is
 * started only while the invocation has time for a worst-case Stripe call and the writes after it; what is
 * left goes straight back for the next invocation, so a timeout never fails a batch with work in hand.
 */
export function buildSetupWorkerHandler(
  deps: SetupWorkerDeps,
): (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse> {
  async function processRecord(record: SQSRecord): Promise<true | FailureKind> {
    const message = parseSetupMessage(record.body);
    const change = message ? undefined : parseDefaultChangeMessage(record.body);
    const recovery = message || change ? undefined : parseRecoveryMessage(record.body);
    if (recovery) return processRecoveryEvent(record, recovery);
    if (!message && !change) {
      // Not in the webhook's format: no retry can fix it, and it must never reach Stripe. Dropped as a
      // permanent failure, counted for the alarm, with enough in the log to find where it came from.
      deps.metrics.count('PermanentFailures');
      deps.log.error('queue message is not a setup message; dropped', {
        messageId: record.messageId,
        bodyLength: record.body.length,
      });
      return true;
    }
    const log = deps.log.child({
      correlation_id: record.messageId,
      ...(message
        ? {
            stripeEventId: message.eventId,
            setupIntentId: message.setupIntentId,
            ...(message.sessionId ? { sessionId: message.sessionId } : {}),
          }
        : { changeId: change?.changeId, action: change?.action }),
    });
    try {
      const result = message
        ? await applyDefaultPaymentMethod({ ...deps, log }, message)
        : await applyDefaultChange({ ...deps, log }, change as NonNullable<typeof change>);
      if (result.status === 'already_finished') return true;
      if (result.status === 'unproven') {
        // Not the API's change (forged, edited, or replayed from outside the records' retention): dropped
        // without a retry and without an outcome event; counted apart from customers' failures.
        deps.metrics.count('UnprovenMessages');
        log.warn('change message not proven by its change record; dropped', { reason: result.reason });
        return true;
      }
      // Permanent failures never reach the dead-letter queue, so they are counted for an alarm instead.
      // A declined attempt the customer can follow with another card is no operator's problem: not alarmed.
      const attemptFailed =
        result.status === 'failed' && result.setupIntentStatus === 'requires_payment_method';
      deps.metrics.count(attemptFailed ? 'SetupAttemptsFailed' : OUTCOME_METRICS[result.status]);
      // A declined card is the customer's to retry on the same Checkout page: info, not error.
      log[result.status === 'failed' && !attemptFailed ? 'error' : 'info'](
        message ? 'setup processed' : 'change processed',
        { ...result },
      );
      return true;
    } catch (error) {
      const level = error instanceof SetupBusy || error instanceof OutOfTime ? 'info' : 'warn';
      log[level]('setup will be retried', { messageId: record.messageId, ...describeError(error) });
      return failureKindOf(error);
    }
  }

  async function processRecoveryEvent(
    record: SQSRecord,
    message: RecoveryMessage,
  ): Promise<true | FailureKind> {
    const log = deps.log.child({
      correlation_id: record.messageId,
      stripeEventId: message.eventId,
      eventType: message.eventType,
    });
    try {
      const result = await applyRecoveryEvent({ ...deps.recovery, log }, message);
      // A message Stripe cannot confirm is dropped and counted: somebody wrote to the queue who should not.
      if (result.status === 'unproven') {
        deps.metrics.count('UnprovenMessages');
        log.warn('recovery event not confirmed by Stripe; dropped', { problem: result.problem });
      } else if (result.status !== 'already_finished') {
        deps.metrics.count(result.status === 'echo' ? 'EchoesDropped' : 'RecoveryEventsHandled');
        log.info('recovery event processed', { ...result });
      }
      return true;
    } catch (error) {
      const level = error instanceof SetupBusy || error instanceof OutOfTime ? 'info' : 'warn';
      // Alarmed when sustained (RecoveryEventsFailing): customers wait for an ask that does not come.
      if (level === 'warn') deps.metrics.count('RecoveryEventsFailed');
      log[level]('recovery event will be retried', { messageId: record.messageId, ...describeError(error) });
      return failureKindOf(error);
    }
  }

  return async (event, context) => {
    // Lambda's context always has it; a caller with a partial context (a test, a bench driver) sets no deadline.
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis()
        : Number.POSITIVE_INFINITY;
    const stripeDeadline = Date.now() + remainingMs - deps.stripeCallWorstCaseMs - deps.finishAllowanceMs;
    // Taken on in the batch's order (so each customer's records in theirs) while their Stripe requests fit
    // in the time left at the instance's rate; started together, they would share the limiter and none
    // might finish.
    const admitted = new Set(
      event.Records.slice(
        0,
        setupsWithin({
          timeMs: remainingMs,
          stripeCallWorstCaseMs: deps.stripeCallWorstCaseMs,
          finishAllowanceMs: deps.finishAllowanceMs,
          requestsPerSecond: deps.stripeRequestsPerSecond,
          callsPerSetup: STRIPE_CALLS_PER_SETUP,
        }),
      ),
    );
    const unfinished: Unfinished[] = [];
    const work = async () => {
      await Promise.all(
        [...groupByCustomer(event.Records).values()].map(async (records) => {
          for (const [index, record] of records.entries()) {
            const inTime = admitted.has(record) && Date.now() < stripeDeadline;
            const result = inTime ? await processRecord(record) : 'out_of_time';
            if (result === true) continue;
            unfinished.push({ kind: result, records: records.slice(index) });
            return;
          }
        }),
      );
    };
    await (Number.isFinite(stripeDeadline) ? runBefore(stripeDeadline, work) : work());
    const failures = await settleUnfinished(deps, unfinished);
    // Counted for the retries alarm: a record handed back again and again is work that is not getting done.
    for (const _ of failures) deps.metrics.count('RecordsRetried');
    return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.messageId })) };
  };
}

/**
 * Hands each customer's unfinished records back with the delay the retry policy gives the first of them, or
 * dead-letters that first one (and hands the rest straight back). Returns the records the event source
 * mapping must not delete.
 */
async function settleUnfinished(deps: SetupWorkerDeps, unfinished: Unfinished[]): Promise<SQSRecord[]> {
  const { workQueue } = deps;
  if (!workQueue) return unfinished.flatMap((group) => group.records);
  const failures: SQSRecord[] = [];
  const handBacks: { record: SQSRecord; visibilitySeconds: number }[] = [];
  const now = Date.now();
  for (const { kind, records } of unfinished) {
    const [first, ...behind] = records as [SQSRecord, ...SQSRecord[]];
    let disposition = dispositionOf(kind, receivedRecord(first), deps.retryPolicy, now);
    if (disposition.action === 'dead_letter') {
      const moved = await workQueue.deadLetter(first, disposition.reason).then(
        () => true,
        (error: unknown) => {
          deps.log.warn('dead-lettering failed; the record is retried instead', describeError(error));
          return false;
        },
      );
      if (moved) {
        deps.metrics.count('RecordsDeadLettered');
        deps.log.error('record dead-lettered', { messageId: first.messageId, reason: disposition.reason });
        failures.push(...behind);
        handBacks.push(...behind.map((record) => ({ record, visibilitySeconds: 0 })));
        continue;
      }
      disposition = { action: 'retry', visibilitySeconds: deps.retryPolicy.baseSeconds };
    }
    const { visibilitySeconds } = disposition;
    failures.push(...records);
    handBacks.push(...records.map((record) => ({ record, visibilitySeconds })));
  }
  if (handBacks.length > 0) {
    await workQueue.handBack(handBacks).catch((error: unknown) => {
      deps.log.warn(
        'hand-back failed; records return after the queue visibility timeout',
        describeError(error),
      );
    });
  }
  return failures;
}

function receivedRecord(record: SQSRecord) {
  return {
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    sentAt: Number(record.attributes.SentTimestamp) || Date.now(),
  };
}

function groupByCustomer(records: SQSRecord[]): Map<string, SQSRecord[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const key =
      record.attributes?.MessageGroupId ??
      parseSetupMessage(record.body)?.customerId ??
      parseDefaultChangeMessage(record.body)?.customerId ??
      parseRecoveryMessage(record.body)?.customerId ??
      record.messageId;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return groups;
}
