import Stripe from 'stripe';
import type { StripeConnectionConfig } from './config';
import type { StripeResponseFigures } from './observability';
import type { SecretReader } from './secrets';

/**
 * The one place a Stripe SDK client is built. STRIPE_API_BASE points it at a Stripe-compatible stand-in
 * (tests, local dev); otherwise it talks to api.stripe.com with the SDK's own defaults.
 */
/**
 * Per request: a timeout, and how often the SDK retries (connection errors — a timeout among them —, 409s and
 * 5xx that Stripe marks retryable), reusing one Idempotency-Key per call; keys are never shared between
 * calls, because Stripe replays a key's first response (a 500 included) for ~24 h. Each function picks
 * values whose worst case, timeout × (retries + 1) plus backoff, fits well inside its own Lambda timeout, so a
 * slow Stripe fails the attempt with a mapped error instead of timing out the function.
 */
export interface StripeRequestBudget {
  timeoutMs: number;
  maxNetworkRetries: number;
}

export const DEFAULT_REQUEST_BUDGET: StripeRequestBudget = { timeoutMs: 10_000, maxNetworkRetries: 2 };

/**
 * The longest one call can take within its budget: every attempt timing out, and the SDK's sleeps between
 * them at their longest (RequestSender: 0.5 s doubling, at most 5 s, never longer after jitter). A
 * Retry-After header from Stripe can stretch a sleep further; Stripe sends one only with a 429, which the
 * SDK does not retry unless Stripe-Should-Retry says so.
 */
export function worstCaseCallMs(budget: StripeRequestBudget): number {
  let sleeps = 0;
  for (let retry = 1; retry <= budget.maxNetworkRetries; retry++)
    sleeps += Math.min(500 * 2 ** (retry - 1), 5000);
  return budget.timeoutMs * (budget.maxNetworkRetries + 1) + sleeps;
}

export function createStripeClient(
  secretKey: string,
  connection: StripeConnectionConfig,
  budget: StripeRequestBudget = DEFAULT_REQUEST_BUDGET,
  onResponse?: (response: StripeResponseFigures) => void,
): Stripe {
  const base = connection.apiBase;
  const client = new Stripe(secretKey, {
    maxNetworkRetries: budget.maxNetworkRetries,
    timeout: budget.timeoutMs,
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
  // Every response, a retried attempt's too: the SDK emits `response` per HTTP answer.
  if (onResponse) client.on('response', onResponse);
  return client;
}

/** A client per secret key: built on first use, rebuilt only when the key itself changes (rotation). */
export function stripeClientProvider(
  readSecretKey: SecretReader<string>,
  connection: StripeConnectionConfig,
  budget: StripeRequestBudget = DEFAULT_REQUEST_BUDGET,
  onResponse?: (response: StripeResponseFigures) => void,
): () => Promise<Stripe> {
  let current: { key: string; client: Stripe } | undefined;
  return async () => {
    const key = await readSecretKey();
    if (current?.key !== key)
      current = { key, client: createStripeClient(key, connection, budget, onResponse) };
    return current.client;
  };
}
