import type { EventQueue, SetupRecords, StripeGateway } from '../ports';
import { CUSTOMER_KEY, isOurSetup, SUBSCRIPTION_KEY } from '../setup-metadata';
import { CHECKOUT_SESSION_COMPLETED } from './setup-message';

export interface ReconcileDeps {
  stripe: StripeGateway;
  records: SetupRecords;
  queue: EventQueue;
}

export interface ReconcileSummary {
  seen: number;
  alreadyApplied: number;
  /** Enqueued, or with --dry-run, would have been. */
  enqueued: number;
  /** Recorded as permanently failed: left for an operator, not retried blindly. */
  failed: number;
  /** Being processed right now (a live claim). */
  inProgress: number;
  errors: number;
}

/** Older than any worker run: a `processing` record this old was abandoned (its message dead-lettered). */
const STALE_CLAIM_MS = 15 * 60_000;

export interface ReconcileOptions {
  /** Unix seconds: sessions created at or after this, but never before the retry window. */
  since: number;
  /**
   * Stripe's retry window (SETUP_RETRY_WINDOW_HOURS): older sessions are not enqueued, so a sweep far back
   * cannot bring back setups whose records expired and make their old cards the default again.
   */
  retryWindowSeconds: number;
  now?: () => number;
  dryRun: boolean;
  onProgress?: (summary: ReconcileSummary) => void;
}

/** Where a sweep starts: `since`, moved forward to the start of the retry window if it is earlier. */
export function reconcileSince(options: Pick<ReconcileOptions, 'since' | 'retryWindowSeconds' | 'now'>) {
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  return Math.max(options.since, nowSeconds - options.retryWindowSeconds);
}

/**
 * Finds completed setup-mode sessions this service created but never applied (their webhook lost, or
 * deliveries exhausted) and enqueues them with the same idempotent message the webhook would send.
 */
export async function reconcileCompletedSessions(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    seen: 0,
    alreadyApplied: 0,
    enqueued: 0,
    failed: 0,
    inProgress: 0,
    errors: 0,
  };
  const since = reconcileSince(options);
  for await (const session of deps.stripe.listCompletedSetupSessions(since)) {
    const intent = session.setupIntent;
    if (!intent || !isOurSetup(session.metadata) || session.created < since) continue;
    summary.seen++;
    const record = await deps.records.get(intent.id);
    if (record?.status === 'applied' || record?.status === 'superseded') summary.alreadyApplied++;
    else if (record?.status === 'failed' && record.setupIntentStatus !== 'requires_payment_method')
      summary.failed++;
    else if (record?.status === 'processing' && Date.parse(record.updatedAt) > Date.now() - STALE_CLAIM_MS) {
      summary.inProgress++;
    } else {
      // Unseen, queued, pending (its setup_intent.succeeded may be lost), a failed attempt the customer
      // followed with another method, or a claim abandoned long ago: the worker re-reads the SetupIntent,
      // so enqueuing any of them is safe.
      try {
        if (!options.dryRun) {
          await deps.queue.enqueue({
            eventId: `reconcile:${session.id}`,
            eventType: CHECKOUT_SESSION_COMPLETED,
            setupIntentId: intent.id,
            sessionId: session.id,
            customerId: session.customerId ?? session.metadata[CUSTOMER_KEY] ?? null,
            subscriptionId: session.metadata[SUBSCRIPTION_KEY] ?? null,
            created: session.created,
            livemode: session.livemode,
          });
        }
        summary.enqueued++;
      } catch {
        summary.errors++;
      }
    }
    options.onProgress?.(summary);
  }
  return summary;
}
