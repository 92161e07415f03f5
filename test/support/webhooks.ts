import { signPayload } from '../../dev/stripe-stand-in';
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
