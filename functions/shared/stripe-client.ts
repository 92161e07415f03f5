import Stripe from 'stripe';
import type { StripeApiConfig } from './config';

/**
 * The one place a Stripe SDK client is built. STRIPE_API_BASE points it at a Stripe-compatible stand-in
 * (tests, local dev); otherwise it talks to api.stripe.com with the SDK's own defaults.
 */
export function createStripeClient(config: StripeApiConfig): Stripe {
  const base = config.apiBase;
  return new Stripe(config.secretKey, {
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
