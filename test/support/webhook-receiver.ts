import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface WebhookReceiver {
  /** Where to deliver: verifies, records and answers 200. */
  url: string;
  /** Verifies deliveries like `url` does, then answers 500, as an endpoint that is down. */
  failingUrl: string;
  /** Every delivery whose signature the SDK's `constructEvent` accepted, whatever was answered. */
  received: Stripe.Event[];
  close(): Promise<void>;
}

/**
 * A webhook endpoint for stand-in tests: verifies each delivery with the official SDK (400 when the
 * signature is wrong) and records it. The secret is read per delivery, so the receiver can start first.
 */
export async function startWebhookReceiver(secret: () => string): Promise<WebhookReceiver> {
  const received: Stripe.Event[] = [];
  const verifier = new Stripe('sk_test_receiver');
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        received.push(
          verifier.webhooks.constructEvent(
            Buffer.concat(chunks).toString('utf8'),
            request.headers['stripe-signature'] ?? '',
            secret(),
          ),
        );
      } catch {
        response.writeHead(400).end('bad signature');
        return;
      }
      response.writeHead(request.url === '/failing-webhook' ? 500 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/webhook`,
    failingUrl: `${base}/failing-webhook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
