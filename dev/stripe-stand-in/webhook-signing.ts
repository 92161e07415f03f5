import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The `Stripe-Signature` header value for `payload`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<payload>">`, the same string `stripe.webhooks.generateTestHeaderString` produces.
 */
export function signPayload(
  payload: string,
  secret: string,
  // Wall-clock time, not the stand-in's movable clock: the receiver checks it against its own.
  timestampSeconds = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestampSeconds}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}

export interface WebhookDelivery {
  /** 0 when the endpoint could not be reached. */
  status: number;
  body: string;
  error?: string;
}

/** Signs `event` and POSTs it to `deliverTo` as Stripe delivers webhooks (pretty-printed JSON). */
export function sendEvent(event: object, deliverTo: string, secret: string): Promise<WebhookDelivery> {
  const payload = JSON.stringify(event, null, 2);
  const url = new URL(deliverTo);
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve) => {
    const outgoing = send(
      url,
      {
        method: 'POST',
        // A fresh connection per delivery, so no keep-alive socket outlives the stand-in.
        agent: false,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': signPayload(payload, secret),
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error) => resolve({ status: 0, body: '', error: error.message }));
      },
    );
    outgoing.on('error', (error) => resolve({ status: 0, body: '', error: error.message }));
    outgoing.end(payload);
  });
}
