import type { StripeMode } from '../shared/config';
import { ServiceError } from '../shared/errors';
import { type HttpEvent, mediaType, parseJsonObject } from '../shared/http';
import { STRIPE_API_VERSION } from '../shared/stripe-api-version';

/**
 * The webhook's checks around the signature, in the order they run: size before anything (so a huge body
 * costs no HMAC), then — only once the signature proves the bytes are Stripe's — content type, JSON, and
 * whether the event belongs to this deployment at all. What the event means for the setup flow is decided
 * afterwards, by `decideOnStripeEvent`.
 */

/**
 * Stripe's events are a few kilobytes (a Checkout Session, a SetupIntent); 256 KiB leaves room for large
 * metadata and refuses the megabytes API Gateway would otherwise pass to the function.
 */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export function checkBodySize(payload: Buffer): ServiceError | undefined {
  if (payload.length <= MAX_WEBHOOK_BODY_BYTES) return undefined;
  return new ServiceError(
    413,
    'payload_too_large',
    `The body must be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.`,
  );
}

/** Stripe posts `application/json; charset=utf-8`. */
export function checkContentType(event: HttpEvent): ServiceError | undefined {
  const actual = mediaType(event);
  if (actual === 'application/json') return undefined;
  return new ServiceError(
    415,
    'unsupported_media_type',
    `Content-Type must be application/json (got ${actual ?? 'none'}).`,
  );
}

export function parseSignedJson(payload: Buffer): Record<string, unknown> | ServiceError {
  const parsed = parseJsonObject(payload);
  if (parsed.ok) return parsed.value;
  return parsed.problem === 'not_json'
    ? new ServiceError(400, 'invalid_json', 'The signed body is not valid JSON.')
    : new ServiceError(400, 'invalid_event', 'The signed body is not a Stripe event.');
}

export type EventOrigin =
  | { belongs: true }
  /** The event is not for this deployment; Stripe gets a 2xx so it stops delivering it. */
  | { belongs: false; ignore: string }
  /** A deployment fault worth a 4xx and a warning: the endpoint is wired to the wrong Stripe mode. */
  | { belongs: false; reject: ServiceError };

/**
 * A test-mode event at a live deployment (or the reverse) means the endpoint or its secret is wired to the
 * wrong mode: refused, and logged by the caller, so the misconfiguration shows. An event for a connected
 * account (`account` set) concerns another Stripe account's customers, which this service — working on its
 * own account with its own key — does not serve: acknowledged and dropped.
 */
export function checkEventOrigin(stripeEvent: Record<string, unknown>, mode: StripeMode): EventOrigin {
  if (typeof stripeEvent.livemode !== 'boolean') {
    return {
      belongs: false,
      reject: new ServiceError(400, 'invalid_event', 'The body is not a Stripe event.'),
    };
  }
  if (stripeEvent.livemode !== (mode === 'live')) {
    return {
      belongs: false,
      reject: new ServiceError(
        400,
        'livemode_mismatch',
        `A ${stripeEvent.livemode ? 'live' : 'test'}-mode event reached a ${mode}-mode deployment.`,
      ),
    };
  }
  if (stripeEvent.account !== undefined && stripeEvent.account !== null) {
    return { belongs: false, ignore: 'The event is for a connected account this service does not serve.' };
  }
  return { belongs: true };
}

/**
 * An event destination may send thin events (`object: "v2.core.event"`, type `v1.checkout.session.completed`
 * and so on: only a `related_object` pointer, signed the same way; the SDK types them as
 * `Stripe.V2.Core.EventNotification`, https://docs.stripe.com/event-destinations#thin-payload). This service
 * reads the snapshot payload, so a thin event is refused with a 4xx that names the setting, rather than
 * acknowledged and silently dropped: Stripe then shows the failing deliveries on the destination and retries
 * them once the setting is fixed.
 */
export function checkPayloadStyle(stripeEvent: Record<string, unknown>): ServiceError | undefined {
  const thin =
    stripeEvent.object === 'v2.core.event' ||
    (typeof stripeEvent.type === 'string' && stripeEvent.type.startsWith('v1.'));
  if (!thin) return undefined;
  return new ServiceError(
    400,
    'thin_event_unsupported',
    `Thin event ${String(stripeEvent.type)} refused: this endpoint reads snapshot events. In Stripe ` +
      "(Workbench → Webhooks), set this event destination's payload style to Snapshot, with API version " +
      `${STRIPE_API_VERSION}.`,
  );
}

/** A snapshot event rendered in another API version: processed (the fields read are stable), but said. */
export function apiVersionMismatch(stripeEvent: Record<string, unknown>): string | undefined {
  const version = stripeEvent.api_version;
  if (typeof version !== 'string' || version === STRIPE_API_VERSION) return undefined;
  return version;
}
