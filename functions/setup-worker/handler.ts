import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ApplyDefaultChangeDeps, applyDefaultChange } from '../shared/flow/apply-default-change';
import { applyDefaultPaymentMethod, SetupBusy } from '../shared/flow/apply-default-payment-method';
import { parseDefaultChangeMessage } from '../shared/flow/default-change-message';
import { parseSetupMessage } from '../shared/flow/setup-message';
import { describeError } from '../shared/logger';
import type { ServiceMetrics } from '../shared/observability';

/** A setup's dependencies, and the claim records of the default changes the API enqueues on the same queue. */
export interface SetupWorkerDeps extends ApplyDefaultChangeDeps {
  metrics: ServiceMetrics;
}

const OUTCOME_METRICS = {
  applied: 'DefaultsApplied',
  superseded: 'SetupsSuperseded',
  pending: 'SetupsPending',
  failed: 'PermanentFailures',
} as const;

/**
 * Consumes setup messages and answers with a partial batch response, so only the records that failed are
 * delivered again. Records are worked on one at a time per customer (the message group on a FIFO queue)
 * and in parallel across customers; after a failure, the rest of that customer's records in the batch are
 * reported failed too, which keeps a FIFO group in order as Lambda requires.
 */
export function buildSetupWorkerHandler(
  deps: SetupWorkerDeps,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  async function processRecord(record: SQSRecord): Promise<boolean> {
    const message = parseSetupMessage(record.body);
    const change = message ? undefined : parseDefaultChangeMessage(record.body);
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
      log[result.status === 'failed' ? 'error' : 'info'](message ? 'setup processed' : 'change processed', {
        ...result,
      });
      return true;
    } catch (error) {
      const level = error instanceof SetupBusy ? 'info' : 'warn';
      log[level]('setup will be retried', { messageId: record.messageId, ...describeError(error) });
      return false;
    }
  }

  return async (event) => {
    const failures: string[] = [];
    await Promise.all(
      [...groupByCustomer(event.Records).values()].map(async (records) => {
        for (const [index, record] of records.entries()) {
          if (await processRecord(record)) continue;
          failures.push(...records.slice(index).map((failed) => failed.messageId));
          return;
        }
      }),
    );
    // Counted for the retries alarm: a record handed back again and again is work that is not getting done.
    for (const _ of failures) deps.metrics.count('RecordsRetried');
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function groupByCustomer(records: SQSRecord[]): Map<string, SQSRecord[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const key =
      record.attributes?.MessageGroupId ??
      parseSetupMessage(record.body)?.customerId ??
      parseDefaultChangeMessage(record.body)?.customerId ??
      record.messageId;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return groups;
}
