/**
 * The one place that reads and validates environment variables. Each function reads its config once at
 * cold start; a missing or malformed variable fails right there with a message naming it, instead of
 * surfacing later as an odd Stripe or AWS error in the middle of a request.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function httpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute URL (got "${value}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(name, `must be an http(s) URL (got "${value}")`);
  }
  return url;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw new ConfigError(name, `must be a positive whole number (got "${raw}")`);
  }
  return Number(raw);
}

export interface StripeConnectionConfig {
  /** Where the SDK sends requests: Stripe itself unless STRIPE_API_BASE names a stand-in. */
  apiBase?: URL;
}

export interface StripeWebhookConfig {
  /** How old a signature may be; a replay inside the window is harmless because processing is idempotent. */
  toleranceSeconds: number;
}

export interface CheckoutConfig {
  successUrl: string;
  cancelUrl: string;
  currency: string;
}

export interface WorkerLimits {
  /** This instance's share of the Stripe request budget; unset means no client-side limit. */
  stripeRequestsPerSecond?: number;
  metricsNamespace: string;
}

export function readWorkerLimits(env: Env): WorkerLimits {
  const limit = optional(env, 'STRIPE_MAX_REQUESTS_PER_SECOND');
  return {
    ...(limit ? { stripeRequestsPerSecond: positiveInteger(env, 'STRIPE_MAX_REQUESTS_PER_SECOND', 1) } : {}),
    metricsNamespace: readMetricsNamespace(env),
  };
}

export function readMetricsNamespace(env: Env): string {
  const namespace = optional(env, 'METRICS_NAMESPACE') ?? 'StripeSetupModeService';
  if (!/^[\w./#:-]{1,255}$/.test(namespace))
    throw new ConfigError('METRICS_NAMESPACE', 'is not a valid namespace');
  return namespace;
}

export interface ProcessingConfig {
  /** How long a worker's claim on a session holds before another worker may take over. */
  claimSeconds: number;
  /** How long processing records live before DynamoDB's TTL removes them (beyond Stripe's 3-day retries). */
  recordRetentionDays: number;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type ConfiguredLogLevel = (typeof LOG_LEVELS)[number];

export function readLogLevel(env: Env): ConfiguredLogLevel {
  const level = (optional(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return level as ConfiguredLogLevel;
}

export function readStripeConnection(env: Env): StripeConnectionConfig {
  const base = optional(env, 'STRIPE_API_BASE');
  return base ? { apiBase: httpUrl('STRIPE_API_BASE', base) } : {};
}

export function readStripeWebhookConfig(env: Env): StripeWebhookConfig {
  return { toleranceSeconds: positiveInteger(env, 'STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300) };
}

export function readQueueUrl(env: Env): string {
  return httpUrl('QUEUE_URL', required(env, 'QUEUE_URL')).toString();
}

export function readTableName(env: Env): string {
  const name = required(env, 'TABLE_NAME');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new ConfigError('TABLE_NAME', `is not a valid DynamoDB table name (got "${name}")`);
  }
  return name;
}

export function readCheckoutConfig(env: Env): CheckoutConfig {
  const successUrl = httpUrl('CHECKOUT_SUCCESS_URL', required(env, 'CHECKOUT_SUCCESS_URL')).toString();
  const cancelUrl = httpUrl('CHECKOUT_CANCEL_URL', required(env, 'CHECKOUT_CANCEL_URL')).toString();
  const currency = (optional(env, 'CHECKOUT_CURRENCY') ?? 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw new ConfigError(
      'CHECKOUT_CURRENCY',
      `must be a three-letter ISO currency code (got "${currency}")`,
    );
  }
  return { successUrl, cancelUrl, currency };
}

export function readProcessingConfig(env: Env): ProcessingConfig {
  return {
    claimSeconds: positiveInteger(env, 'CLAIM_SECONDS', 60),
    recordRetentionDays: positiveInteger(env, 'RECORD_RETENTION_DAYS', 30),
  };
}
