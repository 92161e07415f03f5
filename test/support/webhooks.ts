import { toHttpApiEvent } from '../../dev/http-api/event';
import { signPayload } from '../../dev/stripe-stand-in';
import type { CompletedSession } from '../../dev/stripe-stand-in/checkout-completion';
import { send } from './http';

/** Delivers a Stripe event to the webhook the way Stripe does: raw JSON body, signed header. */
export function deliverSignedEvent(
  webhookUrl: string,
  event: unknown,
  secret: string,
  options: { timestamp?: number; contentType?: string } = {},
) {
  const payload = JSON.stringify(event);
  return send(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json; charset=utf-8',
      'stripe-signature': signPayload(payload, secret, options.timestamp),
    },
    body: payload,
  });
}

/** The API Gateway event of a signed Stripe delivery, for calling a webhook handler directly. */
export function signedWebhookEvent(event: unknown, secret: string, contentType = 'application/json') {
  const payload = JSON.stringify(event);
  return toHttpApiEvent({
    method: 'POST',
    url: '/webhooks/stripe',
    headers: { 'content-type': contentType, 'stripe-signature': signPayload(payload, secret) },
    body: payload,
  });
}

/** The SQS body the webhook writes for a completed session. */
export function setupMessageBody(completion: CompletedSession): string {
  return JSON.stringify({
    eventId: completion.event.id,
    eventType: 'checkout.session.completed',
    setupIntentId: completion.setupIntent.id,
    sessionId: completion.session.id,
    customerId: completion.session.customer,
    created: completion.event.created,
    livemode: false,
  });
}
