import Stripe from 'stripe';
import type { StripeConnectionConfig } from './config';
import type { SecretReader } from './secrets';

/**
 * The one place a Stripe SDK client is built. STRIPE_API_BASE points it at a Stripe-compatible stand-in
 * (tests, local dev); otherwise it talks to api.stripe.com with the SDK's own defaults.
 */
export function createStripeClient(secretKey: string, connection: StripeConnectionConfig): Stripe {
  const base = connection.apiBase;
  return new Stripe(secretKey, {
    // The SDK retries connection errors, 409s and 5xx that Stripe marks retryable, reusing one
    // Idempotency-Key per call; keys are never shared between calls, because Stripe replays a key's
    // first response (a 500 included) for ~24 h.
    maxNetworkRetries: 2,
    // Well under the worker's Lambda timeout, so a slow Stripe fails the attempt instead of the function.
    timeout: 10_000,
    telemetry: false,
    appInfo: { name: 'stripe-setup-mode-service' },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

/** A client per secret key: built on first use, rebuilt only when the key itself changes (rotation). */
export function stripeClientProvider(
  readSecretKey: SecretReader<string>,
  connection: StripeConnectionConfig,
): () => Promise<Stripe> {
  let current: { key: string; client: Stripe } | undefined;
  return async () => {
    const key = await readSecretKey();
    if (current?.key !== key) current = { key, client: createStripeClient(key, connection) };
    return current.client;
  };
}
