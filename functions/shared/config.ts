/**
 * The one place that reads and validates environment variables. Each function reads its config once at
 * cold start; a missing or malformed variable fails right there with a message naming it, instead of
 * surfacing later as an odd Stripe or AWS error in the middle of a request.
 */

import { UPDATE_NEEDED_REASONS, type UpdateNeededReason } from './recovery-ports';

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
  /** How long a Checkout link stays usable; Stripe allows 30 minutes to 24 hours (its default: 24 h). */
  sessionMinutes: number;
}

/** `expires_at` "can be anywhere from 30 minutes to 24 hours after Checkout Session creation" (stripe SDK). */
export const CHECKOUT_SESSION_MINUTES = { min: 30, max: 24 * 60, default: 30 } as const;

export interface WorkerLimits {
  /** This instance's share of the Stripe request budget; unset means no client-side limit. */
  stripeRequestsPerSecond?: number;
  /** One Stripe request's timeout (STRIPE_TIMEOUT_MS); the SDK retries it twice. */
  stripeTimeoutMs: number;
  metricsNamespace: string;
}

export function readWorkerLimits(env: Env): WorkerLimits {
  const limit = optional(env, 'STRIPE_MAX_REQUESTS_PER_SECOND');
  return {
    ...(limit ? { stripeRequestsPerSecond: positiveInteger(env, 'STRIPE_MAX_REQUESTS_PER_SECOND', 1) } : {}),
    stripeTimeoutMs: positiveInteger(env, 'STRIPE_TIMEOUT_MS', 10_000),
    metricsNamespace: readMetricsNamespace(env),
  };
}

export interface WorkerRetryConfig {
  baseSeconds: number;
  capSeconds: number;
  deadLetterAfterSeconds: number;
  /**
   * The work queue (QUEUE_URL) and its dead-letter queue (DEAD_LETTER_QUEUE_URL). Without the first the
   * worker leaves failed records to the queue's own timeout; without the second, a record past the horizon
   * keeps its backoff until the queue's redrive policy moves it.
   */
  queues?: { queueUrl: string; deadLetterQueueUrl?: string };
}

/**
 * The worker's backoff (RETRY_BACKOFF_BASE_SECONDS, RETRY_BACKOFF_CAP_SECONDS, at most SQS's 12 hours) and
 * horizon (DEAD_LETTER_AFTER_SECONDS), and the queues it hands records back to and dead-letters into. The
 * stack derives and checks them against the queue's settings (lib/service-settings.ts).
 */
export function readWorkerRetryConfig(env: Env): WorkerRetryConfig {
  const baseSeconds = positiveInteger(env, 'RETRY_BACKOFF_BASE_SECONDS', 15);
  const capSeconds = positiveInteger(env, 'RETRY_BACKOFF_CAP_SECONDS', 900);
  if (capSeconds < baseSeconds || capSeconds > 43_200) {
    throw new ConfigError(
      'RETRY_BACKOFF_CAP_SECONDS',
      `must be from RETRY_BACKOFF_BASE_SECONDS (${baseSeconds}) to 43200 (got ${capSeconds})`,
    );
  }
  const queueUrl = optional(env, 'QUEUE_URL');
  const deadLetterQueueUrl = optional(env, 'DEAD_LETTER_QUEUE_URL');
  return {
    baseSeconds,
    capSeconds,
    deadLetterAfterSeconds: positiveInteger(env, 'DEAD_LETTER_AFTER_SECONDS', 72 * 3600),
    ...(queueUrl
      ? {
          queues: {
            queueUrl: httpUrl('QUEUE_URL', queueUrl).toString(),
            ...(deadLetterQueueUrl
              ? { deadLetterQueueUrl: httpUrl('DEAD_LETTER_QUEUE_URL', deadLetterQueueUrl).toString() }
              : {}),
          },
        }
      : {}),
  };
}

/** Opt-in (PAY_OPEN_INVOICE=true): pay a past-due subscription's open invoice with the new method. */
export function readPaysOpenInvoices(env: Env): boolean {
  const value = (optional(env, 'PAY_OPEN_INVOICE') ?? 'false').toLowerCase();
  if (value !== 'true' && value !== 'false')
    throw new ConfigError('PAY_OPEN_INVOICE', 'must be true or false');
  return value === 'true';
}

/** The EventBridge bus that hears each setup's outcome; unset means no outcome events. */
/**
 * SUBSCRIPTION_DEFAULTS: `follow` (default) moves unnamed subscriptions on the replaced method along with the
 * customer's default; `named-only` changes only a named subscription. DETACH_REPLACED=true (default false)
 * detaches the replaced method once no default uses it.
 */
export function readPaymentMethodOptions(env: Env): {
  subscriptionDefaults: 'follow' | 'named-only';
  detachReplaced: boolean;
} {
  const subscriptionDefaults = optional(env, 'SUBSCRIPTION_DEFAULTS') ?? 'follow';
  if (subscriptionDefaults !== 'follow' && subscriptionDefaults !== 'named-only')
    throw new ConfigError('SUBSCRIPTION_DEFAULTS', 'must be follow or named-only');
  const detach = (optional(env, 'DETACH_REPLACED') ?? 'false').toLowerCase();
  if (detach !== 'true' && detach !== 'false')
    throw new ConfigError('DETACH_REPLACED', 'must be true or false');
  return { subscriptionDefaults, detachReplaced: detach === 'true' };
}

export function readEventBusName(env: Env): string | undefined {
  const name = optional(env, 'EVENT_BUS_NAME');
  if (name !== undefined && !/^[\w.\-/:]{1,1600}$/.test(name)) {
    throw new ConfigError('EVENT_BUS_NAME', 'must be an event bus name or ARN');
  }
  return name;
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
  /**
   * How old a session may be for the status path or reconcile to enqueue it: Stripe retries a webhook
   * for up to 3 days (https://docs.stripe.com/webhooks#retries), so a setup older than that which was
   * never applied is not finished from a bookmarked success URL.
   */
  setupRetryWindowHours: number;
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

/**
 * The share of invocations logged at debug whatever LOG_LEVEL says (Powertools' log-level sampling, under its
 * own variable name POWERTOOLS_LOGGER_SAMPLE_RATE): 0 (default) to 1.
 */
export function readLogSampleRate(env: Env): number {
  const raw = optional(env, 'POWERTOOLS_LOGGER_SAMPLE_RATE');
  if (raw === undefined) return 0;
  const rate = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || rate > 1)
    throw new ConfigError('POWERTOOLS_LOGGER_SAMPLE_RATE', `must be a number from 0 to 1 (got "${raw}")`);
  return rate;
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
  // Checked as URLs but passed on as written: serialising through URL percent-encodes the braces of
  // `{CHECKOUT_SESSION_ID}` in a path, and Stripe substitutes only the literal template
  // (https://docs.stripe.com/payments/checkout/custom-success-page).
  const successUrl = required(env, 'CHECKOUT_SUCCESS_URL');
  httpUrl('CHECKOUT_SUCCESS_URL', successUrl);
  const cancelUrl = required(env, 'CHECKOUT_CANCEL_URL');
  httpUrl('CHECKOUT_CANCEL_URL', cancelUrl);
  const currency = (optional(env, 'CHECKOUT_CURRENCY') ?? 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw new ConfigError(
      'CHECKOUT_CURRENCY',
      `must be a three-letter ISO currency code (got "${currency}")`,
    );
  }
  const sessionMinutes = positiveInteger(env, 'CHECKOUT_SESSION_MINUTES', CHECKOUT_SESSION_MINUTES.default);
  if (sessionMinutes < CHECKOUT_SESSION_MINUTES.min || sessionMinutes > CHECKOUT_SESSION_MINUTES.max) {
    throw new ConfigError(
      'CHECKOUT_SESSION_MINUTES',
      `must be between ${CHECKOUT_SESSION_MINUTES.min} and ${CHECKOUT_SESSION_MINUTES.max} (got ${sessionMinutes})`,
    );
  }
  return { successUrl, cancelUrl, currency, sessionMinutes };
}

export function readProcessingConfig(env: Env): ProcessingConfig {
  const recordRetentionDays = positiveInteger(env, 'RECORD_RETENTION_DAYS', 30);
  const setupRetryWindowHours = positiveInteger(env, 'SETUP_RETRY_WINDOW_HOURS', 72);
  // A setup the status path may still enqueue must still have its records when the worker gets to it.
  if (setupRetryWindowHours > recordRetentionDays * 24) {
    throw new ConfigError('SETUP_RETRY_WINDOW_HOURS', 'must not be longer than RECORD_RETENTION_DAYS');
  }
  return {
    claimSeconds: positiveInteger(env, 'CLAIM_SECONDS', 60),
    recordRetentionDays,
    setupRetryWindowHours,
  };
}

/* Security settings: who may call the session API, where Checkout may send the customer back, how often. */

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Plain http is only ever accepted for this machine (the local stack); anything reachable needs https. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.includes(hostname.toLowerCase());
}

function httpsOrLoopbackUrl(name: string, value: string): URL {
  const url = httpUrl(name, value);
  if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(name, `must be an https URL; http is allowed only for localhost (got "${value}")`);
  }
  return url;
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export type CallerAuthConfig =
  /** Callers name their customer in the request: local development and tests only. */
  | { mode: 'none' }
  | {
      mode: 'jwt';
      /** Exactly the token's `iss`; its OIDC discovery document names the JWKS. */
      issuer: string;
      /** A token's `aud` (or, without one, `client_id`) must be one of these, as API Gateway checks. */
      audiences: string[];
      /** The claim that holds the caller's Stripe customer id. */
      customerClaim: string;
      /** The oldest token accepted, by `iat` (or, without one, the furthest `exp`): every route checks it. */
      maxTokenAgeSeconds: number;
      /** Hosts the issuer's `jwks_uri` may name besides the issuer's own (Google and Firebase use others). */
      jwksHosts: string[];
    };

/** AUTH_MODE is required, so running without authentication is always a visible choice. */
export function readCallerAuthConfig(env: Env): CallerAuthConfig {
  const mode = required(env, 'AUTH_MODE').toLowerCase();
  if (mode === 'none') return { mode };
  if (mode !== 'jwt') throw new ConfigError('AUTH_MODE', `must be jwt or none (got "${mode}")`);
  const issuer = required(env, 'JWT_ISSUER');
  httpsOrLoopbackUrl('JWT_ISSUER', issuer);
  const audiences = commaList(required(env, 'JWT_AUDIENCE'));
  if (audiences.length === 0) throw new ConfigError('JWT_AUDIENCE', 'must name at least one audience');
  const customerClaim = optional(env, 'JWT_CUSTOMER_CLAIM') ?? 'stripe_customer_id';
  if (!/^[\w:./-]{1,128}$/.test(customerClaim)) {
    throw new ConfigError('JWT_CUSTOMER_CLAIM', `is not a valid claim name (got "${customerClaim}")`);
  }
  // A day: a longer-lived token is a standing credential (a leaked one works until it expires).
  const maxTokenAgeSeconds = positiveInteger(env, 'JWT_MAX_TOKEN_AGE_SECONDS', 86_400);
  const jwksHosts = commaList(optional(env, 'JWT_JWKS_HOSTS') ?? '').map((host) => host.toLowerCase());
  return { mode, issuer, audiences, customerClaim, maxTokenAgeSeconds, jwksHosts };
}

/**
 * One allowed origin as a browser sends it in `Origin` (https://html.spec.whatwg.org/#ascii-serialisation-of-an-origin):
 * lower-case scheme and host, an IDN host in punycode, the scheme's default port left out. The stack
 * normalises its allowedOrigins with this same function, so CORS, ALLOWED_REDIRECT_ORIGINS and this check
 * agree on every spelling (`https://App.example.com:443/`, `https://bücher.example`).
 * Returns the problem as text when the value is not a bare origin.
 */
export function normaliseOrigin(origin: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    return { problem: `${origin} is not a URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `${origin} is not http(s)` };
  if (url.username || url.password) return { problem: `${origin} carries a user name or password` };
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(origin)) {
    return { problem: `${origin} has a path, query or fragment: give scheme://host[:port] only` };
  }
  return { origin: url.origin };
}

/**
 * Origins (scheme://host[:port]) a caller's successUrl/cancelUrl may point at; the stack passes the same list
 * it gives CORS. Empty means callers cannot choose redirect URLs, only the configured defaults apply.
 */
export function readAllowedRedirectOrigins(env: Env): string[] {
  return commaList(optional(env, 'ALLOWED_REDIRECT_ORIGINS')).map((origin) => {
    const normalised = normaliseOrigin(origin);
    if ('problem' in normalised) {
      throw new ConfigError(
        'ALLOWED_REDIRECT_ORIGINS',
        `must list bare origins like https://app.example.com (${normalised.problem})`,
      );
    }
    return httpsOrLoopbackUrl('ALLOWED_REDIRECT_ORIGINS', normalised.origin).origin;
  });
}

/** The per-customer cap on Checkout Sessions created per minute, beside API Gateway's stage throttling. */
export function readSessionsPerCustomerPerMinute(env: Env): number {
  return positiveInteger(env, 'SESSIONS_PER_CUSTOMER_PER_MINUTE', 10);
}

export interface StripeCallBudgetConfig {
  /** Stripe calls a caller regains per second. */
  callsPerSecond: number;
  /** Stripe calls an idle caller may spend at once. */
  burst: number;
}

/**
 * Each caller's share of the account's Stripe rate limit (live 100/s, test 25/s), charged per Stripe call
 * on every route that reaches Stripe. The burst must fit the costliest request, or that route would always
 * be refused.
 */
export function readStripeCallBudget(env: Env, costliestRequest: number): StripeCallBudgetConfig {
  const raw = optional(env, 'STRIPE_CALLS_PER_CALLER_PER_SECOND') ?? '1';
  const callsPerSecond = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(callsPerSecond > 0) || callsPerSecond > 100) {
    throw new ConfigError(
      'STRIPE_CALLS_PER_CALLER_PER_SECOND',
      `must be a number above 0 and at most 100 (got "${raw}")`,
    );
  }
  const burst = positiveInteger(env, 'STRIPE_CALL_BURST_PER_CALLER', 30);
  if (burst < costliestRequest) {
    throw new ConfigError(
      'STRIPE_CALL_BURST_PER_CALLER',
      `must be at least ${costliestRequest}, the most Stripe calls one request makes (got ${burst})`,
    );
  }
  return { callsPerSecond, burst };
}

/** How long one instance answers a customer's repeated listings from memory (0: never). */
export function readListingCacheSeconds(env: Env): number {
  const raw = optional(env, 'LISTING_CACHE_SECONDS') ?? '5';
  if (!/^\d+$/.test(raw) || Number(raw) > 60) {
    throw new ConfigError(
      'LISTING_CACHE_SECONDS',
      `must be a whole number of seconds from 0 to 60 (got "${raw}")`,
    );
  }
  return Number(raw);
}

export interface StatusRouteConfig {
  /** Per-caller cap on status requests a minute: a success page polling every second needs 60. */
  perMinute: number;
  /** How long one Stripe lookup of a session answers repeated polls, per function instance. */
  cacheSeconds: number;
  /**
   * How often any instance reads an unsettled session from Stripe (STATUS_SHARED_REFRESH_SECONDS, default 3;
   * 0 turns the shared view off); a settled one is read once.
   */
  sharedRefreshSeconds: number;
}

/** The status route's budget: it reads from Stripe, whose rate limit the worker and the SaaS share. */
export function readStatusRouteConfig(env: Env): StatusRouteConfig {
  const cacheSeconds = Number(optional(env, 'STATUS_CACHE_SECONDS') ?? '3');
  if (!Number.isInteger(cacheSeconds) || cacheSeconds < 0 || cacheSeconds > 60) {
    throw new ConfigError('STATUS_CACHE_SECONDS', 'must be a whole number of seconds from 0 to 60');
  }
  const sharedRefreshSeconds = Number(optional(env, 'STATUS_SHARED_REFRESH_SECONDS') ?? '3');
  if (!Number.isInteger(sharedRefreshSeconds) || sharedRefreshSeconds < 0 || sharedRefreshSeconds > 60) {
    throw new ConfigError('STATUS_SHARED_REFRESH_SECONDS', 'must be a whole number of seconds from 0 to 60');
  }
  return {
    perMinute: positiveInteger(env, 'STATUS_REQUESTS_PER_CUSTOMER_PER_MINUTE', 120),
    cacheSeconds,
    sharedRefreshSeconds,
  };
}

export type StripeMode = 'test' | 'live';

/** Test or live: a non-secret setting, so the webhook can check an event's `livemode` without the API key. */
export function readStripeMode(env: Env): StripeMode {
  const mode = required(env, 'STRIPE_MODE').toLowerCase();
  if (mode !== 'test' && mode !== 'live') {
    throw new ConfigError('STRIPE_MODE', `must be test or live (got "${mode}")`);
  }
  return mode;
}

/* Recovery: update links and the events that ask a customer for a new payment method. */

export interface RecoveryConfig {
  /** The API's public URL, which update links start with; unset: no links are minted. */
  linkBaseUrl?: string;
  /** How long an update link works (UPDATE_LINK_DAYS, default 7). */
  linkDays: number;
  /** Which reasons emit `Payment method update needed` (UPDATE_NEEDED_REASONS, default all). */
  updateNeededReasons: ReadonlySet<UpdateNeededReason>;
  /** The JWT scope that lets the SaaS's backend mint and revoke links (UPDATE_LINKS_SCOPE). */
  updateLinksScope?: string;
}

export function readRecoveryConfig(env: Env): RecoveryConfig {
  const base = optional(env, 'UPDATE_LINK_BASE_URL');
  const linkDays = positiveInteger(env, 'UPDATE_LINK_DAYS', 7);
  if (linkDays > 30) throw new ConfigError('UPDATE_LINK_DAYS', `must be at most 30 (got ${linkDays})`);
  const named = commaList(optional(env, 'UPDATE_NEEDED_REASONS') ?? UPDATE_NEEDED_REASONS.join(','));
  const unknown = named.filter((reason) => !(UPDATE_NEEDED_REASONS as readonly string[]).includes(reason));
  if (unknown.length > 0) {
    throw new ConfigError(
      'UPDATE_NEEDED_REASONS',
      `must list reasons among ${UPDATE_NEEDED_REASONS.join(', ')} (got ${unknown.join(', ')})`,
    );
  }
  const scope = optional(env, 'UPDATE_LINKS_SCOPE');
  if (scope !== undefined && !/^[\x21-\x7e]{1,128}$/.test(scope))
    throw new ConfigError('UPDATE_LINKS_SCOPE', 'must be one scope name without spaces');
  return {
    ...(base ? { linkBaseUrl: httpsOrLoopbackUrl('UPDATE_LINK_BASE_URL', base).toString() } : {}),
    linkDays,
    updateNeededReasons: new Set(named as UpdateNeededReason[]),
    ...(scope ? { updateLinksScope: scope } : {}),
  };
}
