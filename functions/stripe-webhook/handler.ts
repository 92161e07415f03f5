import type { StripeWebhookConfig } from '../shared/config';
import { ServiceError } from '../shared/errors';
import { decideOnStripeEvent } from '../shared/flow/setup-message';
import {
  errorResponse,
  type HttpEvent,
  type HttpResult,
  header,
  jsonResponse,
  rawBody,
} from '../shared/http';
import { describeError, type Logger } from '../shared/logger';
import type { EventQueue } from '../shared/ports';
import type { SecretReader } from '../shared/secrets';
import { verifyStripeSignature } from './stripe-signature';

export interface StripeWebhookDeps {
  queue: EventQueue;
  signingSecrets: SecretReader<string[]>;
  webhook: StripeWebhookConfig;
  log: Logger;
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
  return async (event) => {
    const payload = rawBody(event);
    let secrets: string[];
    try {
      secrets = await deps.signingSecrets();
    } catch (error) {
      deps.log.error('signing secrets unavailable; Stripe will retry', describeError(error));
      return errorResponse(
        new ServiceError(503, 'secrets_unavailable', 'The webhook cannot verify events right now.'),
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
      return errorResponse(new ServiceError(400, 'invalid_signature', signature.reason));
    }

    let stripeEvent: unknown;
    try {
      stripeEvent = JSON.parse(payload.toString('utf8'));
    } catch {
      return errorResponse(new ServiceError(400, 'invalid_json', 'The signed body is not valid JSON.'));
    }
    const decision = decideOnStripeEvent(stripeEvent);
    const log = deps.log.child({ stripeEventId: (stripeEvent as { id?: unknown })?.id });
    if (decision.action === 'reject') {
      log.warn('webhook event rejected', { reason: decision.reason });
      return errorResponse(new ServiceError(400, 'invalid_event', decision.reason));
    }
    if (decision.action === 'ignore') {
      log.info('webhook event ignored', { reason: decision.reason });
      return jsonResponse(200, { received: true, enqueued: false });
    }

    const { message } = decision;
    try {
      await deps.queue.enqueue(message);
    } catch (error) {
      log.error('enqueue failed; Stripe will retry', {
        sessionId: message.sessionId,
        ...describeError(error),
      });
      return errorResponse(
        new ServiceError(503, 'queue_unavailable', 'The event could not be queued; retry later.'),
      );
    }
    log.info('webhook event enqueued', { sessionId: message.sessionId, eventType: message.eventType });
    return jsonResponse(200, { received: true, enqueued: true });
  };
}
