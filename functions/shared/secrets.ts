import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, readStripeMode, type StripeMode } from './config';
import { describeError, type Logger } from './logger';
import type { ServiceMetrics } from './observability';
import { parseSetupProofSecrets } from './setup-proof';

/**
 * The one place Stripe secrets come from. Local runs and tests set them as environment variables; a
 * deployed stack names Secrets Manager secrets by ARN instead, so no secret sits in a function's
 * configuration. Values read from Secrets Manager are cached for a few minutes (Powertools parameters),
 * which keeps Secrets Manager off the hot path and still picks up a rotated secret without a redeploy.
 *
 * Every value is checked when it is read — at cold start for an environment variable, at the first read
 * for a Secrets Manager secret — and before anything reaches Stripe: its shape, and for an API key, that
 * its mode is the deployment's (STRIPE_MODE) and that an unauthenticated deployment (AUTH_MODE=none) never
 * holds a live key. A refusal names the secret, never its value.
 */

type Env = Record<string, string | undefined>;
export type SecretReader<T> = () => Promise<T>;

const SECRET_CACHE_SECONDS = 300;
/**
 * GetSecretValue's SecretId: the secret's ARN, or its name (an imported secret: its complete ARN is unknown
 * at synth, and a partial ARN of a name ending in a hyphen and six characters is read as a complete one:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
 */
const SECRET_ID = /^(arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+|[\w/+=.@-]{1,512})$/;

/**
 * Stripe's keys and signing secrets carry far more than 24 characters after their prefix
 * (https://docs.stripe.com/keys, https://docs.stripe.com/webhooks#verify-events); anything shorter is a
 * placeholder or a shell variable that expanded to nothing (`whsec_$UNSET`), and a short signing secret
 * would let anyone forge events.
 */
export const MIN_SECRET_CHARS_AFTER_PREFIX = 24;

/** A secret whose value this deployment will not use; nothing was sent to Stripe with it. */
export class SecretRefused extends ConfigError {
  constructor(source: string, problem: string) {
    super(source, problem);
    this.name = 'SecretRefused';
  }
}

export interface StripeKeyExpectations {
  stripeMode: StripeMode;
  /** AUTH_MODE=none: a test-mode toy that must never move live money. */
  unauthenticated: boolean;
}

/** STRIPE_MODE is required; AUTH_MODE=none (the session API's setting) forbids live keys outright. */
export function stripeKeyExpectations(env: Env): StripeKeyExpectations {
  return {
    stripeMode: readStripeMode(env),
    unauthenticated: env.AUTH_MODE?.trim().toLowerCase() === 'none',
  };
}

export function stripeSecretKeyReader(env: Env): SecretReader<string> {
  const expected = stripeKeyExpectations(env);
  return secretReader(env, 'STRIPE_SECRET_KEY', 'STRIPE_SECRET_KEY_ARN', (raw, source) =>
    parseStripeSecretKey(raw, source, expected),
  );
}

export function webhookSigningSecretsReader(env: Env): SecretReader<string[]> {
  return secretReader(env, 'STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_SECRET_ARN', parseWebhookSigningSecrets);
}

/** The HMAC key of the setup proof (setup-proof.ts); the session API signs with it, the worker verifies. */
export function setupProofSecretsReader(env: Env): SecretReader<string[]> {
  return secretReader(env, 'SETUP_PROOF_SECRET', 'SETUP_PROOF_SECRET_ARN', parseSetupProofSecrets);
}

function secretReader<T>(
  env: Env,
  valueVariable: string,
  arnVariable: string,
  parse: (raw: string, source: string) => T,
): SecretReader<T> {
  const direct = env[valueVariable]?.trim();
  if (direct) {
    const value = parse(direct, valueVariable);
    return async () => value;
  }
  const arn = env[arnVariable]?.trim();
  if (!arn)
    throw new ConfigError(valueVariable, `is required (or ${arnVariable}, naming a Secrets Manager secret)`);
  if (!SECRET_ID.test(arn))
    throw new ConfigError(arnVariable, 'must be a Secrets Manager secret ARN or name');
  return async () => {
    const raw = await getSecret(arn, { maxAge: SECRET_CACHE_SECONDS });
    if (typeof raw !== 'string') throw new ConfigError(arnVariable, 'must name a secret with a string value');
    return parse(raw.trim(), `the secret named by ${arnVariable}`);
  };
}

const STRIPE_KEY = /^(sk|rk)_(test|live)_(\w+)$/;

export function parseStripeSecretKey(raw: string, source: string, expected: StripeKeyExpectations): string {
  const match = STRIPE_KEY.exec(raw);
  if (!match) throw new SecretRefused(source, 'must be a Stripe secret (sk_) or restricted (rk_) key');
  const [, kind, mode, rest = ''] = match;
  const prefix = `${kind}_${mode}_`;
  if (rest.length < MIN_SECRET_CHARS_AFTER_PREFIX) {
    throw new SecretRefused(
      source,
      `is too short for a Stripe key (${prefix} needs at least ${MIN_SECRET_CHARS_AFTER_PREFIX} more characters)`,
    );
  }
  if (mode === 'live' && expected.unauthenticated) {
    throw new SecretRefused(
      source,
      `holds a live-mode key (${prefix}…) but the session API is unauthenticated (AUTH_MODE=none), which is for test mode only: nothing was sent to Stripe. Deploy with jwtIssuer and jwtAudience for live keys`,
    );
  }
  if (mode !== expected.stripeMode) {
    throw new SecretRefused(
      source,
      `holds a ${mode}-mode key (${prefix}…) but STRIPE_MODE is ${expected.stripeMode}: nothing was sent to Stripe. Store a ${expected.stripeMode}-mode key or deploy with stripeMode=${mode}`,
    );
  }
  return raw;
}

/** Several at once during rotation: Stripe signs with both the old and the new secret for up to 24 h. */
export function parseWebhookSigningSecrets(raw: string, source: string): string[] {
  const secrets = raw
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0 || secrets.some((secret) => !/^whsec_\w+$/.test(secret))) {
    throw new SecretRefused(source, 'must be a comma-separated list of whsec_ secrets');
  }
  if (secrets.some((secret) => secret.length - 'whsec_'.length < MIN_SECRET_CHARS_AFTER_PREFIX)) {
    throw new SecretRefused(
      source,
      `has a signing secret too short to be Stripe's (whsec_ needs at least ${MIN_SECRET_CHARS_AFTER_PREFIX} more characters)`,
    );
  }
  return secrets;
}

export interface SecretRefusalReporting {
  log: Logger;
  metrics: ServiceMetrics;
}

/**
 * A refused secret fails every request that needs it until an operator stores the right value: each
 * refusal is logged as an error and counted (SecretsRefused, alarmed), and the error goes on to the
 * handler, which answers it as a misconfiguration.
 */
export function reportingRefusals<T>(read: SecretReader<T>, report: SecretRefusalReporting): SecretReader<T> {
  return async () => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof SecretRefused) {
        report.log.error('Stripe secret refused; nothing sent to Stripe', describeError(error));
        report.metrics.count('SecretsRefused');
      }
      throw error;
    }
  };
}
