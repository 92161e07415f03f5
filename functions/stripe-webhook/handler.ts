import * as v from 'valibot';
import type { RecoveryQueue } from '../shared/adapters/sqs-recovery-queue';
import type { StripeMode, StripeWebhookConfig } from '../shared/config';
import { isTransientAwsFailure, ServiceError } from '../shared/errors';
import { decideOnRecoveryEvent, isRecoveryEventType } from '../shared/flow/recovery/recovery-message';
import { decideOnStripeEvent, setupMessageSchema, stripeEventSchema } from '../shared/flow/setup-message';
import {
  errorResponse,
  type HttpEvent,
  type HttpResult,
  header,
  jsonResponse,
  rawBody,
} from '../shared/http';
import { describeError, type Logger } from '../shared/logger';
import type { ServiceMetrics } from '../shared/observability';
import type { EventQueue, SessionCompletion, SessionCompletions } from '../shared/ports';
import type { SecretReader } from '../shared/secrets';
import { STRIPE_API_VERSION } from '../shared/stripe-api-version';
import {
  apiVersionMismatch,
  checkBodySize,
  checkContentType,
  checkEventOrigin,
  checkPayloadStyle,
  parseSignedJson,
} from './event-guards';
import { verifyStripeSignature } from './stripe-signature';

export interface StripeWebhookDeps {
  queue: EventQueue;
  /** Where a completed session is recorded for the status route, beside the queueing of its message. */
  completions: SessionCompletions;
  /** The same queue, for the recovery events (failed renewals, expiring cards, changes made elsewhere). */
  recoveryQueue: RecoveryQueue;
  signingSecrets: SecretReader<string[]>;
  webhook: StripeWebhookConfig;
  /** The mode of the account's key, so events of the other mode are refused. */
  stripeMode: StripeMode;
  log: Logger;
  metrics: ServiceMetrics;
  now?: () => number;
}

/**
 * Stripe's webhook endpoint: verify, then parse, then enqueue. A 2xx tells Stripe to stop retrying, so it
 * is returned only once the work is safely in SQS (or needs no work); a queue failure answers 5xx so Stripe
 * delivers again.
 */
export function buildStripeWebhookHandler(
  deps: StripeWebhookDeps,
): (event: HttpEvent) => Promise<HttpResult> {
  const nowSeconds = () => Math.floor((deps.now ?? Date.now)() / 1000);
  const ignored = () => jsonResponse(200, { received: true, enqueued: false });
  // Stripe retries a refused delivery and, after days of failures, disables the endpoint: counted, so a
  // wrong signing secret or a mode mismatch is alarmed long before that. Unsigned junk is not counted: the
  // endpoint is public, and anyone could otherwise raise the alarm at will.
  const countRejection = () => deps.metrics.count('WebhookRejections');
  return async (event) => {
    const payload = rawBody(event);
    const tooLarge = checkBodySize(payload);
    if (tooLarge) {
      deps.log.warn('webhook body refused', { bytes: payload.length });
      return errorResponse(tooLarge);
    }
    let secrets: string[];
    try {
      secrets = await deps.signingSecrets();
    } catch (error) {
      // Secrets Manager throttled or failing is a retry (Stripe delivers again); anything else is a fault.
      const transient = isTransientAwsFailure(error);
      deps.log[transient ? 'warn' : 'error'](
        'signing secrets unavailable; Stripe will retry',
        describeError(error),
      );
      return errorResponse(
        new ServiceError(503, 'secrets_unavailable', 'The webhook cannot verify events right now.', {
          'retry-after': '1',
        }),
      );
    }
    const signature = verifyStripeSignature(
      payload,
      header(event, 'stripe-signature'),
      secrets,
      deps.webhook.toleranceSeconds,
      nowSeconds(),
    );
    if (!signature.valid) {
      deps.log.warn('webhook signature rejected', { reason: signature.reason });
      if (signature.wrongSecret) countRejection();
      return errorResponse(new ServiceError(400, 'invalid_signature', signature.reason));
    }

    // Only now are the bytes known to be Stripe's; what they claim to be is checked next.
    const wrongType = checkContentType(event);
    if (wrongType) return errorResponse(wrongType);
    const stripeEvent = parseSignedJson(payload);
    if (stripeEvent instanceof ServiceError) return errorResponse(stripeEvent);
    const log = deps.log.child({
      stripeEventId: typeof stripeEvent.id === 'string' ? stripeEvent.id : undefined,
    });
    const thin = checkPayloadStyle(stripeEvent);
    if (thin) {
      log.warn('webhook event refused: thin payload', { code: thin.code, reason: thin.message });
      return errorResponse(thin);
    }
    const otherVersion = apiVersionMismatch(stripeEvent);
    if (otherVersion) {
      log.warn('webhook endpoint uses another API version; set it to the pinned one', {
        apiVersion: otherVersion,
        expected: STRIPE_API_VERSION,
      });
    }
    const origin = checkEventOrigin(stripeEvent, deps.stripeMode);
    if (!origin.belongs && 'reject' in origin) {
      log.warn('webhook event refused', { code: origin.reject.code, reason: origin.reject.message });
      if (origin.reject.code === 'livemode_mismatch') countRejection();
      return errorResponse(origin.reject);
    }
    if (!origin.belongs) {
      log.info('webhook event ignored', { reason: origin.ignore });
      return ignored();
    }

    if (typeof stripeEvent.type === 'string' && isRecoveryEventType(stripeEvent.type)) {
      return enqueueRecoveryEvent(deps, log, stripeEvent);
    }
    const decision = decideOnStripeEvent(stripeEvent);
    if (decision.action === 'reject') {
      log.warn('webhook event rejected', { reason: decision.reason });
      return errorResponse(new ServiceError(400, 'invalid_event', decision.reason));
    }
    if (decision.action === 'ignore') {
      log.info('webhook event ignored', { reason: decision.reason });
      return ignored();
    }

    const { message } = decision;
    // Only messages the worker will accept enter the queue: ids Stripe would never send (even signed) stop here.
    if (!v.safeParse(setupMessageSchema, message).success) {
      log.warn('webhook event rejected', { reason: 'The event carries ids this service does not accept.' });
      return errorResponse(new ServiceError(400, 'invalid_event', 'The event carries malformed ids.'));
    }
    // Side by side, so the webhook answers in about one AWS round trip, not two.
    const recorded = decision.completion ? recordCompletion(deps, log, decision.completion) : undefined;
    try {
      await deps.queue.enqueue(message);
    } catch (error) {
      await recorded;
      // Finished later by `npm run reconcile`, which finds the setup by its session.
      return enqueueFailed(deps, log, error, { sessionId: message.sessionId });
    }
    await recorded;
    log.info('webhook event enqueued', { sessionId: message.sessionId, eventType: message.eventType });
    return jsonResponse(200, { received: true, enqueued: true });
  };
}

/**
 * The record of a completed setup on its way to the worker: the status route answers it from DynamoDB instead
 * of reading the session from Stripe (https://docs.stripe.com/rate-limits: the account's limit is shared with
 * the worker). Written beside the SendMessage, so it may stand for a message SQS then refused; Stripe delivers
 * the event again after the 503 (https://docs.stripe.com/webhooks#retries), and a record no worker took within
 * its limit is read from Stripe and queued again by the status route. Best effort: without the record the
 * status route reads Stripe as it would for a late webhook, so a failed write is no reason for Stripe to
 * deliver the event again.
 */
async function recordCompletion(deps: StripeWebhookDeps, log: Logger, completion: SessionCompletion) {
  try {
    await deps.completions.record(completion);
  } catch (error) {
    log.warn('completed session not recorded; its status is read from Stripe', {
      sessionId: completion.sessionId,
      ...describeError(error),
    });
  }
}

/**
 * The answer when SendMessage failed, the same for every kind of event. SQS refused the message itself
 * (InvalidParameterValue and the like): every retry would be refused the same way for Stripe's 3 days, so
 * it is acknowledged (Stripe stops) and alarmed as a permanent failure with the event in the log, never a
 * silent 200. Anything else (throttling, 5xx, the queue unreachable or forbidden) answers 503: Stripe
 * retries with backoff (https://docs.stripe.com/webhooks#retries) and a later delivery gets through.
 */
function enqueueFailed(
  deps: StripeWebhookDeps,
  log: Logger,
  error: unknown,
  context: Record<string, unknown>,
): HttpResult {
  if (isRefusedMessage(error)) {
    deps.metrics.count('PermanentFailures');
    log.error('SQS refused the event; acknowledged without enqueueing', {
      ...context,
      ...describeError(error),
    });
    return jsonResponse(200, { received: true, enqueued: false });
  }
  log[isTransientAwsFailure(error) ? 'warn' : 'error']('enqueue failed; Stripe will retry', {
    ...context,
    ...describeError(error),
  });
  return errorResponse(
    new ServiceError(503, 'queue_unavailable', 'The event could not be queued; retry later.', {
      'retry-after': '1',
    }),
  );
}

/**
 * SQS refused this message's content or parameters, as opposed to the queue being unreachable, missing or
 * forbidden (which an operator's fix lets a later delivery through). SendMessage's errors:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
function isRefusedMessage(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return /^(InvalidParameterValue|InvalidMessageContents)(Exception)?$/.test(name);
}

/** A recovery event: its ids queued like a setup's, for the worker to prove against Stripe and act on. */
async function enqueueRecoveryEvent(
  deps: StripeWebhookDeps,
  log: Logger,
  stripeEvent: Record<string, unknown>,
): Promise<HttpResult> {
  const parsed = v.safeParse(stripeEventSchema, stripeEvent);
  const decision = parsed.success
    ? decideOnRecoveryEvent({
        ...parsed.output,
        type: parsed.output.type as Parameters<typeof decideOnRecoveryEvent>[0]['type'],
        data: stripeEvent.data as { object: unknown; previous_attributes?: unknown },
      })
    : ({ action: 'reject', reason: 'The event is malformed.' } as const);
  if (decision.action === 'reject') {
    log.warn('webhook event rejected', { reason: decision.reason });
    return errorResponse(new ServiceError(400, 'invalid_event', decision.reason));
  }
  if (decision.action === 'ignore') {
    log.info('webhook event ignored', { reason: decision.reason });
    return jsonResponse(200, { received: true, enqueued: false });
  }
  try {
    await deps.recoveryQueue.enqueue(decision.message);
  } catch (error) {
    // A refused one is found again in Stripe's event list (the log names it) and redelivered from there.
    return enqueueFailed(deps, log, error, {
      stripeEventId: decision.message.eventId,
      eventType: decision.message.eventType,
    });
  }
  log.info('webhook event enqueued', { eventType: decision.message.eventType });
  return jsonResponse(200, { received: true, enqueued: true });
}
