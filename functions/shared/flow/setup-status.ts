import { ServiceError, StripeRequestFailed } from '../errors';
import { describeError, type Logger } from '../logger';
import type {
  CheckoutSessionSnapshot,
  EventQueue,
  PaymentMethodSummary,
  SessionCompletion,
  SessionCompletions,
  SetupRecord,
  SetupRecords,
  StripeGateway,
} from '../ports';
import { CUSTOMER_KEY, SUBSCRIPTION_KEY } from '../setup-metadata';
import { isProvenSetup, type SetupProof } from '../setup-proof';
import { CHECKOUT_SESSION_COMPLETED } from './setup-message';

export interface SetupStatusDeps {
  stripe: StripeGateway;
  records: SetupRecords;
  /** The webhook's records of completed sessions: what answers a finished setup without Stripe. */
  completions?: Pick<SessionCompletions, 'get'>;
  queue: EventQueue;
  log: Logger;
  setupProof: SetupProof;
  /** Sessions older than this are never enqueued from here (Stripe's retry window). */
  retryWindowSeconds: number;
  now?: () => number;
}

export interface SetupStatus {
  id: string;
  status: string | null;
  customer: string | null;
  /** `status` is null until the worker has read the SetupIntent (answered from the webhook's record). */
  setupIntent: { id: string; status: string | null } | null;
  paymentMethod: { id: string; type: string; brand?: string; last4?: string } | null;
  defaultsApplied: boolean;
  /** Where the payment method became the default, once applied. */
  appliedTo: {
    customer: string;
    subscription: string | null;
    paymentMethod: string;
    /** Subscriptions not named that followed to the new method (on the replaced one, or `all`). */
    subscriptionsMoved: string[];
  } | null;
  processing: {
    status: SetupRecord['status'] | 'not_started';
    failureCode?: string;
    declineCode?: string;
    updatedAt?: string;
  };
}

/** How long a status-path enqueue may stay unanswered before another status request enqueues again. */
const REQUEUE_AFTER_SECONDS = 60;

/**
 * How long the webhook's record of a completed session answers alone while no worker has taken its setup.
 * Past it the queued message may be lost (dead-lettered and never redriven, a purged queue): the status route
 * then reads the session from Stripe and re-queues it, as for a webhook that never came.
 */
export const WEBHOOK_RECORD_TRUSTED_SECONDS = 15 * 60;

/**
 * The success page's synchronous path from the guide: the session as Stripe sees it now, and how far this
 * service has got with it. A completed session this service has not seen yet (its webhook lost or late) is
 * enqueued here, with the same idempotent message the webhook would send, so the success page alone is
 * enough to finish the job. One the webhook recorded is answered from DynamoDB alone while it is on its way
 * through the queue and once applied: Stripe's rate limit is per account and shared with the worker
 * (https://docs.stripe.com/rate-limits), and a success page polls every second or so.
 */
export async function getSetupStatus(
  deps: SetupStatusDeps,
  sessionId: string,
  callerCustomerId?: string,
  /** Charges the caller for a Stripe read, run only when the session is about to be read from Stripe. */
  beforeStripeRead?: () => Promise<void>,
): Promise<SetupStatus> {
  const completion = await deps.completions?.get(sessionId);
  const fromRecords = completion && (await statusFromRecords(deps, completion, callerCustomerId));
  if (fromRecords) return fromRecords;
  const session = await deps.stripe
    .retrieveSetupSession(sessionId, beforeStripeRead)
    .catch((error: unknown) => {
      if (error instanceof StripeRequestFailed && error.kind === 'not_found')
        throw sessionNotFound(sessionId);
      throw error;
    });
  // Another customer's session answers exactly like a missing one, so session ids cannot be probed.
  const ownerId = session.customerId ?? session.metadata[CUSTOMER_KEY] ?? null;
  if (session.mode !== 'setup' || (callerCustomerId && ownerId !== callerCustomerId)) {
    throw sessionNotFound(sessionId);
  }
  const intent = session.setupIntent;
  let record = intent ? await deps.records.get(intent.id) : undefined;
  if (
    intent &&
    session.status === 'complete' &&
    needsEnqueue(record, intent.status) &&
    (await mayEnqueue(deps, session))
  ) {
    record = (await requeueUnseenSession(deps, session, intent.id, record)) ?? record;
  }
  return statusAnswer(
    { id: session.id, status: session.status, customer: ownerId },
    intent ? { id: intent.id, status: intent.status } : null,
    intent?.paymentMethod ?? null,
    record,
  );
}

/**
 * A session the webhook recorded as complete, answered without Stripe while nothing about it can change
 * there: its setup queued or being applied (the SetupIntent not read yet: `status` null), or applied or
 * superseded (the SetupIntent succeeded; the worker recorded the method it read). Undefined sends the caller
 * to Stripe: a pending or failed setup (a delayed method settles, a declined one may be retried), a record
 * from before the method was recorded, or a queued setup no worker took within the trusted time.
 */
async function statusFromRecords(
  deps: SetupStatusDeps,
  completion: SessionCompletion,
  callerCustomerId: string | undefined,
): Promise<SetupStatus | undefined> {
  const ownerId = completion.customerId ?? completion.metadata[CUSTOMER_KEY] ?? null;
  if (callerCustomerId && ownerId !== callerCustomerId) throw sessionNotFound(completion.sessionId);
  const record = await deps.records.get(completion.setupIntentId);
  const session = { id: completion.sessionId, status: 'complete', customer: ownerId };
  const intent = { id: completion.setupIntentId, status: null };
  const nowSeconds = Math.floor((deps.now ?? Date.now)() / 1000);
  if (!record || record.status === 'queued') {
    if (completion.completedAt < nowSeconds - WEBHOOK_RECORD_TRUSTED_SECONDS) return undefined;
    return statusAnswer(session, intent, null, record ?? { status: 'queued' });
  }
  if (record.status === 'processing') return statusAnswer(session, intent, null, record);
  const method = recordedMethod(record);
  if ((record.status === 'applied' || record.status === 'superseded') && method) {
    return statusAnswer(session, { ...intent, status: 'succeeded' }, method, record);
  }
  return undefined;
}

function recordedMethod(record: SetupRecord): PaymentMethodSummary | undefined {
  if (!record.paymentMethodId || !record.paymentMethodType) return undefined;
  const { paymentMethodBrand: brand, paymentMethodLast4: last4 } = record;
  return {
    id: record.paymentMethodId,
    type: record.paymentMethodType,
    ...(brand && last4 ? { card: { brand, last4 } } : {}),
  };
}

function statusAnswer(
  session: Pick<SetupStatus, 'id' | 'status' | 'customer'>,
  intent: SetupStatus['setupIntent'],
  method: PaymentMethodSummary | null,
  record: (Pick<SetupRecord, 'status'> & Partial<SetupRecord>) | undefined,
): SetupStatus {
  return {
    ...session,
    setupIntent: intent,
    paymentMethod: method
      ? {
          id: method.id,
          type: method.type,
          ...(method.card ? { brand: method.card.brand, last4: method.card.last4 } : {}),
        }
      : null,
    defaultsApplied: record?.status === 'applied',
    appliedTo:
      record?.status === 'applied' && record.customerId && record.paymentMethodId
        ? {
            customer: record.customerId,
            subscription: record.subscriptionId ?? null,
            paymentMethod: record.paymentMethodId,
            subscriptionsMoved: record.subscriptionsMoved ?? [],
          }
        : null,
    processing: record
      ? {
          status: record.status,
          ...(record.updatedAt ? { updatedAt: record.updatedAt } : {}),
          ...(record.failureCode ? { failureCode: record.failureCode } : {}),
          ...(record.declineCode ? { declineCode: record.declineCode } : {}),
        }
      : { status: 'not_started' },
  };
}

/**
 * Whether the status path should enqueue the completed session: nothing seen yet, or a record the SetupIntent
 * has since moved on from — a failed attempt (a declined card: `setup_intent.setup_failed`) the customer
 * followed with a method that worked, or a delayed method now succeeded — whose event may be late or lost.
 */
function needsEnqueue(record: SetupRecord | undefined, intentStatus: string): boolean {
  if (!record || record.status === 'queued') return true;
  if (record.status === 'failed' && record.setupIntentStatus === 'requires_payment_method') {
    return intentStatus !== 'requires_payment_method';
  }
  return record.status === 'pending' && intentStatus === 'succeeded';
}

/**
 * Only a fresh setup this service provably created is enqueued from here. A session older than Stripe's
 * retry window that has no record is not a lost webhook but an old one whose records expired: enqueuing
 * it from a bookmarked success URL would make an old card the default again. A session without our marker
 * and proof is not ours to finish: enqueued, it would only be recorded as a permanent failure, an alarm
 * any customer could raise at will.
 */
async function mayEnqueue(deps: SetupStatusDeps, session: CheckoutSessionSnapshot): Promise<boolean> {
  const nowSeconds = Math.floor((deps.now ?? Date.now)() / 1000);
  if (session.created < nowSeconds - deps.retryWindowSeconds) return false;
  return isProvenSetup(deps.setupProof, session.customerId, session.metadata);
}

/**
 * Enqueues once per window: a success page polling every second must not flood the queue. The message goes
 * first and the marker after it, so a marker stands only for a message SQS accepted: a marker write that
 * failed, or whose answer was lost, can hold no setup back (and a failed enqueue leaves no marker behind).
 * Two polls racing past the check both enqueue; FIFO deduplication and the worker's claim absorb that.
 */
async function requeueUnseenSession(
  deps: SetupStatusDeps,
  session: CheckoutSessionSnapshot,
  setupIntentId: string,
  record: SetupRecord | undefined,
): Promise<SetupRecord | undefined> {
  const now = (deps.now ?? Date.now)();
  const markedRecently =
    record?.status === 'queued' &&
    record.queuedAt !== undefined &&
    record.queuedAt > now - REQUEUE_AFTER_SECONDS * 1000;
  if (markedRecently) return record;
  await deps.queue.enqueue({
    // Its own id, never the webhook's: messages sent with a deduplication id already used are "accepted
    // successfully but aren't delivered during the 5-minute deduplication interval" (SQS SendMessage,
    // MessageDeduplicationId), so a re-enqueue under the webhook's id, after its copy was consumed, vanishes. The record's
    // state it saw names the occasion: polls at once share it (one message), a later re-enqueue does not.
    // The worker's claim keeps whichever copies arrive to one effect.
    eventId: `status:${session.id}:${record?.updatedAt ?? 'unseen'}`,
    eventType: CHECKOUT_SESSION_COMPLETED,
    setupIntentId,
    sessionId: session.id,
    customerId: session.customerId ?? session.metadata[CUSTOMER_KEY] ?? null,
    subscriptionId: session.metadata[SUBSCRIPTION_KEY] ?? null,
    created: session.created,
    livemode: session.livemode,
  });
  // The usual order, not a lost webhook: the success page polls sooner than Stripe delivers. Whichever copy
  // the worker takes first applies the setup; the webhook's copies then find it finished.
  deps.log.info('setup queued by the status request, ahead of its webhook', { sessionId: session.id });
  // The message is queued whatever happens to the marker; without one, the next poll enqueues again.
  await deps.records.markQueued(setupIntentId, session.id, REQUEUE_AFTER_SECONDS).catch((error: unknown) => {
    deps.log.warn(
      'status-path marker not recorded; the next status request enqueues again',
      describeError(error),
    );
  });
  return deps.records.get(setupIntentId);
}

function sessionNotFound(sessionId: string): ServiceError {
  return new ServiceError(404, 'session_not_found', `Checkout Session ${sessionId} was not found.`);
}
