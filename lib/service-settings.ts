import type { Node } from 'constructs';

/**
 * Everything an operator may set with `-c key=value` or in cdk.json's context, read and validated in one
 * place. Each setting has a default that synthesises offline, so `npx cdk synth` works on a fresh clone.
 */
export interface ServiceSettings {
  /** `prod` keeps data on stack deletion and turns on deletion protection; `dev` cleans up. */
  stage: 'dev' | 'prod';
  /** Browser origins allowed by CORS (scheme://host[:port]). */
  allowedOrigins: string[];
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** Requests per second of the Stripe account's limit that the worker may use (the SaaS needs the rest). */
  stripeRequestsPerSecond: number;
  /** Existing Secrets Manager secrets to use, by name; unset means the stack creates placeholders. */
  stripeSecretKeySecretName?: string;
  stripeWebhookSecretName?: string;
  checkoutSuccessUrl: string;
  checkoutCancelUrl: string;
  checkoutCurrency: string;
  recordRetentionDays: number;
  logRetentionDays: number;
  /** SNS topic that alarms notify; unset leaves alarms without actions (visible in the console). */
  alarmTopicArn?: string;
  /** Who may call the session API: a JWT issuer, or (dev stage, by explicit flag only) anyone. */
  auth: ServiceAuthSettings;
  /** Checkout Sessions one customer may create per minute. */
  sessionsPerCustomerPerMinute: number;
  /** How long a Checkout link stays usable (Stripe: 30 minutes to 24 hours). */
  checkoutSessionMinutes: number;
  /** The status route's own throttle, below the stage's: each request may be a Stripe read. */
  statusThrottleRateLimit: number;
  statusThrottleBurstLimit: number;
  /** The Stripe account mode the keys belong to; the webhook refuses events of the other mode. */
  stripeMode: 'test' | 'live';
  /** An existing EventBridge bus for outcome events; unset means the stack creates one. */
  eventBusName?: string;
  /** Pay a past-due subscription's open invoice with the new default (opt-in). */
  payOpenInvoice: boolean;
}

export type ServiceAuthSettings =
  | { mode: 'jwt'; issuer: string; audiences: string[]; customerClaim: string }
  /** Only with `allowUnauthenticated=true` on a dev stage; the function warns at every cold start. */
  | { mode: 'none' };

export class SettingsError extends Error {}

export function readServiceSettings(node: Node): ServiceSettings {
  const text = (key: string): string | undefined => {
    const value = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value);
  };
  const flag = (key: string): boolean => {
    const value = text(key) ?? 'false';
    if (value !== 'true' && value !== 'false')
      throw new SettingsError(`Context ${key} must be true or false.`);
    return value === 'true';
  };
  const number = (key: string, fallback: number, min: number, max: number): number => {
    const raw = text(key);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new SettingsError(`Context ${key} must be a whole number from ${min} to ${max} (got ${raw}).`);
    }
    return value;
  };
  const url = (key: string, fallback: string): string => {
    const value = text(key) ?? fallback;
    if (!/^https:\/\/[^\s/]+/.test(value)) throw new SettingsError(`Context ${key} must be an https URL.`);
    return value;
  };

  const stage = text('stage') ?? 'dev';
  if (stage !== 'dev' && stage !== 'prod')
    throw new SettingsError(`Context stage must be dev or prod (got ${stage}).`);
  const origins = node.tryGetContext('allowedOrigins');
  const allowedOrigins: string[] = Array.isArray(origins)
    ? origins.map(String)
    : (text('allowedOrigins')
        ?.split(',')
        .map((origin) => origin.trim()) ?? []);
  for (const origin of allowedOrigins) {
    if (!/^https?:\/\/[^/\s@]+$/.test(origin)) {
      throw new SettingsError(
        `Context allowedOrigins has ${origin}: give scheme://host[:port] with no path.`,
      );
    }
    // The list is also where Checkout may redirect to: plain http only for a developer's own machine.
    const { protocol, hostname } = new URL(origin);
    if (protocol === 'http:' && (stage === 'prod' || !LOOPBACK.includes(hostname))) {
      throw new SettingsError(
        `Context allowedOrigins has ${origin}: use https (http only for localhost in dev).`,
      );
    }
  }
  const currency = (text('checkoutCurrency') ?? 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw new SettingsError('Context checkoutCurrency must be an ISO currency code.');

  return {
    stage,
    allowedOrigins,
    throttleRateLimit: number('throttleRateLimit', 50, 1, 10_000),
    throttleBurstLimit: number('throttleBurstLimit', 100, 1, 5_000),
    maxReceiveCount: number('maxReceiveCount', 5, 1, 1_000),
    stripeRequestsPerSecond: number('stripeRequestsPerSecond', 20, 2, 10_000),
    stripeSecretKeySecretName: text('stripeSecretKeySecretName'),
    stripeWebhookSecretName: text('stripeWebhookSecretName'),
    checkoutSuccessUrl: url('checkoutSuccessUrl', 'https://example.com/billing/updated'),
    checkoutCancelUrl: url('checkoutCancelUrl', 'https://example.com/billing'),
    checkoutCurrency: currency,
    recordRetentionDays: number('recordRetentionDays', 30, 4, 3650),
    logRetentionDays: number('logRetentionDays', 30, 1, 3653),
    alarmTopicArn: text('alarmTopicArn'),
    auth: readAuthSettings(stage, text),
    sessionsPerCustomerPerMinute: number('sessionsPerCustomerPerMinute', 10, 1, 1_000),
    checkoutSessionMinutes: number('checkoutSessionMinutes', 30, 30, 1440),
    statusThrottleRateLimit: number('statusThrottleRateLimit', 10, 1, 10_000),
    statusThrottleBurstLimit: number('statusThrottleBurstLimit', 20, 1, 5_000),
    stripeMode: readStripeMode(text('stripeMode')),
    eventBusName: text('eventBusName'),
    payOpenInvoice: flag('payOpenInvoice'),
  };
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Authentication is on whenever `jwtIssuer` is set. Without it the stack is refused, except for a dev stage
 * that says `allowUnauthenticated=true` (cdk.json does, so a fresh clone synthesises); a prod stage always
 * needs an issuer.
 */
function readAuthSettings(
  stage: 'dev' | 'prod',
  text: (key: string) => string | undefined,
): ServiceAuthSettings {
  const issuer = text('jwtIssuer');
  if (!issuer) {
    if (stage === 'prod') {
      throw new SettingsError(
        'Context jwtIssuer is required for stage prod: the session API must authenticate.',
      );
    }
    if (text('allowUnauthenticated') !== 'true') {
      throw new SettingsError(
        'Context jwtIssuer is required (with jwtAudience), or allowUnauthenticated=true for a dev stage.',
      );
    }
    return { mode: 'none' };
  }
  if (!/^https:\/\/[^\s/]+/.test(issuer)) throw new SettingsError('Context jwtIssuer must be an https URL.');
  const audiences = (text('jwtAudience') ?? '')
    .split(',')
    .map((audience) => audience.trim())
    .filter(Boolean);
  if (audiences.length === 0) throw new SettingsError('Context jwtAudience is required with jwtIssuer.');
  const customerClaim = text('customerClaim') ?? 'stripe_customer_id';
  if (!/^[\w:./-]{1,128}$/.test(customerClaim))
    throw new SettingsError('Context customerClaim is not a claim name.');
  return { mode: 'jwt', issuer, audiences, customerClaim };
}

function readStripeMode(value: string | undefined): 'test' | 'live' {
  const mode = value ?? 'test';
  if (mode !== 'test' && mode !== 'live')
    throw new SettingsError(`Context stripeMode must be test or live (got ${mode}).`);
  return mode;
}
