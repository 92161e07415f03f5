import type { Node } from 'constructs';
import {
  DEFAULT_RETRY_POLICY,
  HAND_BACK_ALLOWANCE,
  queueTimingProblems,
  receivesWithinHorizon,
} from '../functions/setup-worker/retry-policy';
import { normaliseOrigin } from '../functions/shared/config';
import { CAPACITY_DEFAULTS, type CapacityPlan, planCapacity } from './capacity';
import { longestStackName, STACK_NAME_PATTERN } from './physical-names';

/**
 * Everything an operator may set with `-c key=value` or in cdk.json's context, read and validated in one
 * place. Each setting has a default that synthesises offline, so `npx cdk synth` works on a fresh clone.
 */
export interface ServiceSettings {
  /** `prod` keeps data on stack deletion and turns on deletion protection; `dev` cleans up. Required. */
  stage: 'dev' | 'prod';
  /**
   * The CloudFormation stack: `<stackName>-<stage>`, so two stages are always two stacks, whatever
   * `-c stackName=…` says; every physical name and the metrics namespace derive from it.
   */
  stackName: string;
  /** Browser origins allowed by CORS (scheme://host[:port]). */
  allowedOrigins: string[];
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /**
   * Receives before SQS itself moves a message to the dead-letter queue: a backstop for invocations that
   * crash before handing a record back. Derived from the backoff unless set; checked against it.
   */
  maxReceiveCount: number;
  /** The worker's longest delay between retries of a record that fails for a passing reason. */
  retryBackoffCapSeconds: number;
  /** How long a record may wait in line before the worker dead-letters it (Stripe retries for 3 days). */
  deadLetterAfterHours: number;
  /**
   * What the Stripe account's rate limit carries and how it is split (lib/capacity.ts): the worker's Stripe
   * rate and concurrency and the API's route throttles, derived from the peak and the shares.
   */
  capacity: CapacityPlan;
  /** Existing Secrets Manager secrets to use, by name; unset means the stack creates placeholders. */
  stripeSecretKeySecretName?: string;
  stripeWebhookSecretName?: string;
  checkoutSuccessUrl: string;
  checkoutCancelUrl: string;
  checkoutCurrency: string;
  /**
   * Recovery: the JWT scope that lets the SaaS's backend mint update links (unset: IAM-signed calls only),
   * how long links work, and which reasons emit `Payment method update needed` (comma-separated; all).
   */
  updateLinksScope?: string;
  updateLinkDays: number;
  updateNeededReasons?: string;
  /**
   * Where update links start (`<base>/u/<token>`): the API's custom domain, e.g. `https://billing.example.com`
   * (or with its API mapping's path). Unset: the API's own execute-api URL.
   */
  updateLinkBaseUrl?: string;
  recordRetentionDays: number;
  logRetentionDays: number;
  /** KMS key that encrypts the imported secrets (a customer-managed key); the functions get kms:Decrypt. */
  secretsKmsKeyArn?: string;
  /** SNS topic that alarms notify; required on prod, unset elsewhere leaves alarms visible in the console. */
  alarmTopicArn?: string;
  /** Who may call the session API: a JWT issuer, or (dev stage, by explicit flag only) anyone. */
  auth: ServiceAuthSettings;
  /** Checkout Sessions one customer may create per minute. */
  sessionsPerCustomerPerMinute: number;
  /** How long a Checkout link stays usable (Stripe: 30 minutes to 24 hours). */
  checkoutSessionMinutes: number;
  /** The Stripe account mode the keys belong to; the webhook refuses events of the other mode. */
  stripeMode: 'test' | 'live';
  /** An existing EventBridge bus for outcome events, by name or ARN; unset means the stack creates one. */
  eventBus?: { name: string } | { arn: string };
  /** Pay a past-due subscription's open invoice with the new default (opt-in). */
  payOpenInvoice: boolean;
  /** `follow`: unnamed subscriptions on the replaced method follow a new customer default; `named-only`. */
  subscriptionDefaults: 'follow' | 'named-only';
  /** Detach the replaced method once no default uses it (opt-in). */
  detachReplaced: boolean;
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

  const stage = text('stage');
  if (stage === undefined)
    throw new SettingsError(
      'Context stage is required: -c stage=dev or -c stage=prod (each is its own stack).',
    );
  if (stage !== 'dev' && stage !== 'prod')
    throw new SettingsError(`Context stage must be dev or prod (got ${stage}).`);
  if (stage === 'prod') requireForProd(text);
  const stackName = readStackName(text('stackName'), stage);
  const allowedOrigins = readAllowedOrigins(node.tryGetContext('allowedOrigins'), stage);
  const optionalText = <K extends string>(key: K, pattern: RegExp, what: string) => {
    const value = text(key);
    if (value === undefined) return {};
    if (!pattern.test(value)) throw new SettingsError(`Context ${key} must be ${what}.`);
    return { [key]: value } as { [P in K]: string };
  };
  const currency = (text('checkoutCurrency') ?? 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw new SettingsError('Context checkoutCurrency must be an ISO currency code.');

  const auth = readAuthSettings(stage, text);
  const stripeMode = readStripeMode(text('stripeMode'));
  if (auth.mode === 'none' && stripeMode === 'live') {
    throw new SettingsError(
      'Context stripeMode=live needs jwtIssuer and jwtAudience: an unauthenticated stage is test mode only.',
    );
  }
  return {
    stage,
    stackName,
    allowedOrigins,
    throttleRateLimit: number('throttleRateLimit', 50, 1, 10_000),
    throttleBurstLimit: number('throttleBurstLimit', 100, 1, 5_000),
    ...readRetrySettings(number),
    capacity: readCapacity(text, number, stripeMode),
    stripeSecretKeySecretName: text('stripeSecretKeySecretName'),
    stripeWebhookSecretName: text('stripeWebhookSecretName'),
    checkoutSuccessUrl: url('checkoutSuccessUrl', 'https://example.com/billing/updated'),
    checkoutCancelUrl: url('checkoutCancelUrl', 'https://example.com/billing'),
    checkoutCurrency: currency,
    recordRetentionDays: number('recordRetentionDays', 30, 4, 3650),
    logRetentionDays: readLogRetentionDays(text('logRetentionDays')),
    secretsKmsKeyArn: arnOf(
      text,
      'secretsKmsKeyArn',
      /^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/,
      'a KMS key ARN',
    ),
    alarmTopicArn: arnOf(
      text,
      'alarmTopicArn',
      /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/,
      'an SNS topic ARN',
    ),
    auth,
    sessionsPerCustomerPerMinute: number('sessionsPerCustomerPerMinute', 10, 1, 1_000),
    checkoutSessionMinutes: number('checkoutSessionMinutes', 30, 30, 1440),
    stripeMode,
    eventBus: readEventBus(text('eventBusName')),
    payOpenInvoice: flag('payOpenInvoice'),
    subscriptionDefaults: readSubscriptionDefaults(text('subscriptionDefaults')),
    detachReplaced: flag('detachReplaced'),
    ...optionalText('updateLinksScope', /^[\x21-\x7e]{1,128}$/, 'one scope name without spaces'),
    updateLinkDays: number('updateLinkDays', 7, 1, 30),
    ...optionalText('updateNeededReasons', /^[a-z_]+(,[a-z_]+)*$/, 'a comma-separated list of reasons'),
    ...readUpdateLinkBaseUrl(text('updateLinkBaseUrl')),
  };
}

/**
 * An update link is a bearer credential in an email: it must travel over https only, to a host the operator
 * names, with nothing after the base that the service's `/u/<token>` would not replace. So: https, a host,
 * an optional path prefix (an API mapping's, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html),
 * no credentials, query or fragment; a trailing slash is dropped.
 */
function readUpdateLinkBaseUrl(raw: string | undefined): { updateLinkBaseUrl?: string } {
  if (raw === undefined) return {};
  const refuse = (why: string) =>
    new SettingsError(
      `Context updateLinkBaseUrl ${why} (got ${JSON.stringify(raw)}), e.g. https://billing.example.com.`,
    );
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw refuse('must be an https URL');
  }
  if (parsed.protocol !== 'https:') throw refuse('must be an https URL');
  if (parsed.username || parsed.password) throw refuse('must not carry credentials');
  if (parsed.search || parsed.hash || raw.includes('?') || raw.includes('#'))
    throw refuse('must have no query or fragment');
  return { updateLinkBaseUrl: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}

/** SQS keeps a work-queue message this long (its maximum is 14 days); it must outlast the horizon. */
export const QUEUE_RETENTION_SECONDS = 4 * 86_400;
/** The worker's Lambda timeout; the queue's visibility timeout is 6 × it, as AWS advises for Lambda. */
export const WORKER_TIMEOUT_SECONDS = 60;

/**
 * The retry settings, checked against each other and the queue's at synth (queueTimingProblems): a
 * maxReceiveCount left unset is the least that lets the backoff reach the horizon.
 */
function readRetrySettings(number: (key: string, fallback: number, min: number, max: number) => number) {
  const retryBackoffCapSeconds = number(
    'retryBackoffCapSeconds',
    DEFAULT_RETRY_POLICY.capSeconds,
    60,
    43_200,
  );
  const deadLetterAfterHours = number(
    'deadLetterAfterHours',
    DEFAULT_RETRY_POLICY.deadLetterAfterSeconds / 3600,
    1,
    96,
  );
  const policy = {
    baseSeconds: DEFAULT_RETRY_POLICY.baseSeconds,
    capSeconds: retryBackoffCapSeconds,
    deadLetterAfterSeconds: deadLetterAfterHours * 3600,
  };
  const derived = Math.min(1_000, receivesWithinHorizon(policy) + HAND_BACK_ALLOWANCE);
  const maxReceiveCount = number('maxReceiveCount', derived, 1, 1_000);
  const problems = queueTimingProblems({
    policy,
    visibilityTimeoutSeconds: WORKER_TIMEOUT_SECONDS * 6,
    retentionSeconds: QUEUE_RETENTION_SECONDS,
    maxReceiveCount,
    consumerTimeoutSeconds: WORKER_TIMEOUT_SECONDS,
  });
  if (problems.length > 0) {
    throw new SettingsError(`Retry settings disagree with the queue: ${problems.join('; ')}.`);
  }
  return { maxReceiveCount, retryBackoffCapSeconds, deadLetterAfterHours };
}

/**
 * The capacity settings an operator understands (the peak, the account's limit, the shares), and the older
 * explicit ones, checked against each other by planCapacity; its refusal is one line naming a setting.
 */
function readCapacity(
  text: (key: string) => string | undefined,
  number: (key: string, fallback: number, min: number, max: number) => number,
  stripeMode: 'test' | 'live',
): CapacityPlan {
  const explicit = (key: string, min: number, max: number) =>
    text(key) === undefined ? {} : { [key]: number(key, 0, min, max) };
  const peakText = text('peakSetupsPerSecond') ?? String(CAPACITY_DEFAULTS.peakSetupsPerSecond);
  const peakSetupsPerSecond = Number(peakText);
  if (!/^\d+(\.\d+)?$/.test(peakText) || !(peakSetupsPerSecond > 0) || peakSetupsPerSecond > 1_000) {
    throw new SettingsError(
      `Context peakSetupsPerSecond must be a number above 0 and at most 1000 (got ${peakText}).`,
    );
  }
  const plan = planCapacity({
    stripeMode,
    peakSetupsPerSecond,
    workerStripeSharePercent: number(
      'workerStripeSharePercent',
      CAPACITY_DEFAULTS.workerStripeSharePercent,
      1,
      100,
    ),
    apiStripeSharePercent: number('apiStripeSharePercent', CAPACITY_DEFAULTS.apiStripeSharePercent, 1, 100),
    ...explicit('stripeRateLimit', 1, 10_000),
    ...explicit('stripeRequestsPerSecond', 1, 10_000),
    ...explicit('statusThrottleRateLimit', 1, 10_000),
    ...explicit('statusThrottleBurstLimit', 1, 5_000),
  });
  if ('refused' in plan) throw new SettingsError(plan.refused);
  return plan;
}

function readSubscriptionDefaults(value: string | undefined): 'follow' | 'named-only' {
  if (value === undefined || value === 'follow' || value === 'named-only') return value ?? 'follow';
  throw new SettingsError('Context subscriptionDefaults must be follow or named-only.');
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * A prod stage is production: nothing that decides where money moves, where customers land or who hears an
 * alarm may come from a default. Every missing option is named at once.
 */
const REQUIRED_FOR_PROD = [
  'stripeMode',
  'checkoutSuccessUrl',
  'checkoutCancelUrl',
  'alarmTopicArn',
  // Without origins there is no CORS: no browser frontend on another origin can call the session API.
  'allowedOrigins',
];

function requireForProd(text: (key: string) => string | undefined): void {
  // An empty list from cdk.json reads as unset: String([]) is ''.
  const missing = REQUIRED_FOR_PROD.filter((key) => text(key) === undefined);
  if (missing.length > 0) {
    throw new SettingsError(
      `Context ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required for stage prod.`,
    );
  }
}

/**
 * The stage is always appended, so `-c stackName=…` names a family of stacks and can never point a dev deploy
 * at prod's stack. The whole name must leave room for the longest name derived from it (lib/physical-names.ts).
 */
function readStackName(value: string | undefined, stage: string): string {
  const stackName = `${value ?? 'StripeSetupModeService'}-${stage}`;
  const longest = longestStackName() - `-${stage}`.length;
  if (!STACK_NAME_PATTERN.test(stackName) || stackName.length > longestStackName()) {
    throw new SettingsError(
      `Context stackName must start with a letter, hold only letters, digits and hyphens, and be at most ${longest} characters (got ${value}).`,
    );
  }
  return stackName;
}

/**
 * The ARNs a setting may name that AWS only accepts in the stack's own region: CloudWatch notifies only an SNS
 * topic in the alarm's region (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html),
 * PutEvents writes to a bus of the client's region, and a secret is encrypted with a KMS key of its own
 * region. The stack is environment-agnostic, so the stack turns these into CloudFormation `Rules`.
 */
export function regionBoundArns(settings: ServiceSettings): { option: string; region: string }[] {
  const arns: [string, string | undefined][] = [
    ['alarmTopicArn', settings.alarmTopicArn],
    ['eventBusName', settings.eventBus && 'arn' in settings.eventBus ? settings.eventBus.arn : undefined],
    ['secretsKmsKeyArn', settings.secretsKmsKeyArn],
  ];
  return arns.flatMap(([option, arn]) => (arn ? [{ option, region: arn.split(':')[3] ?? '' }] : []));
}

/**
 * From cdk.json a JSON list; from the command line (`-c allowedOrigins=…`) a string, either a JSON list or a
 * comma-separated one. Each origin is normalised by the function the session API uses for
 * ALLOWED_REDIRECT_ORIGINS, so the stack never passes a spelling the function would refuse at cold start.
 */
function readAllowedOrigins(value: unknown, stage: 'dev' | 'prod'): string[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (value === undefined || value === null || value === '') items = [];
  else if (String(value).trim().startsWith('[')) {
    try {
      items = JSON.parse(String(value));
    } catch {
      throw new SettingsError('Context allowedOrigins is not a valid JSON list.');
    }
    if (!Array.isArray(items)) throw new SettingsError('Context allowedOrigins is not a valid JSON list.');
  } else items = String(value).split(',');
  const origins = items.map((item) => String(item).trim()).filter(Boolean);
  const normalised = origins.map((origin) => {
    const result = normaliseOrigin(origin);
    if ('problem' in result) throw new SettingsError(`Context allowedOrigins has ${result.problem}.`);
    // The list is also where Checkout may redirect to: plain http only for a developer's own machine.
    const { protocol, hostname } = new URL(result.origin);
    if (protocol === 'http:' && (stage === 'prod' || !LOOPBACK.includes(hostname))) {
      throw new SettingsError(
        `Context allowedOrigins has ${origin}: use https (http only for localhost in dev).`,
      );
    }
    return result.origin;
  });
  return [...new Set(normalised)];
}

/**
 * The values AWS::Logs::LogGroup RetentionInDays accepts
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html).
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function readLogRetentionDays(value: string | undefined): number {
  const days = value === undefined ? 30 : Number(value);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new SettingsError(
      `Context logRetentionDays must be one of CloudFormation's values: ${LOG_RETENTION_DAYS.join(', ')} (got ${value}).`,
    );
  }
  return days;
}

function arnOf(
  text: (key: string) => string | undefined,
  key: string,
  pattern: RegExp,
  what: string,
): string | undefined {
  const value = text(key);
  if (value !== undefined && !pattern.test(value)) throw new SettingsError(`Context ${key} must be ${what}.`);
  return value;
}

/**
 * A bus name, or the ARN of a bus (also another account's:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html). IAM and PutEvents need the ARN
 * of a bus given by ARN as it is, never as a name inside another ARN.
 */
function readEventBus(value: string | undefined): ServiceSettings['eventBus'] {
  if (value === undefined) return undefined;
  if (value.startsWith('arn:')) {
    if (!/^arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/[\w.\-/]{1,256}$/.test(value)) {
      throw new SettingsError('Context eventBusName must be an event bus name or an event bus ARN.');
    }
    return { arn: value };
  }
  if (!/^[\w.-]{1,256}$/.test(value)) {
    throw new SettingsError('Context eventBusName must be an event bus name or an event bus ARN.');
  }
  return { name: value };
}

/**
 * Authentication is on whenever `jwtIssuer` is set. Without it the stack is refused, except for a dev stage
 * that says `-c allowUnauthenticated=true` on the command line (cdk.json never does); a prod stage always
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
        'Context jwtIssuer is required (with jwtAudience); only a dev stage in test mode may instead say -c allowUnauthenticated=true on the command line.',
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
