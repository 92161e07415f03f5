import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from './config';
import { parseSetupProofSecrets } from './setup-proof';

/**
 * The one place Stripe secrets come from. Local runs and tests set them as environment variables; a
 * deployed stack names Secrets Manager secrets by ARN instead, so no secret sits in a function's
 * configuration. Values read from Secrets Manager are cached for a few minutes (Powertools parameters),
 * which keeps Secrets Manager off the hot path and still picks up a rotated secret without a redeploy.
 */

type Env = Record<string, string | undefined>;
export type SecretReader<T> = () => Promise<T>;

const SECRET_CACHE_SECONDS = 300;
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/;

export function stripeSecretKeyReader(env: Env): SecretReader<string> {
  return secretReader(env, 'STRIPE_SECRET_KEY', 'STRIPE_SECRET_KEY_ARN', parseStripeSecretKey);
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
  if (!SECRET_ARN.test(arn)) throw new ConfigError(arnVariable, 'must be a Secrets Manager secret ARN');
  return async () => {
    const raw = await getSecret(arn, { maxAge: SECRET_CACHE_SECONDS });
    if (typeof raw !== 'string') throw new ConfigError(arnVariable, 'must name a secret with a string value');
    return parse(raw.trim(), `the secret named by ${arnVariable}`);
  };
}

export function parseStripeSecretKey(raw: string, source: string): string {
  if (!/^(sk|rk)_(test|live)_\w+$/.test(raw)) {
    throw new ConfigError(source, 'must be a Stripe secret (sk_) or restricted (rk_) key');
  }
  return raw;
}

/** Several at once during rotation: Stripe signs with both the old and the new secret for up to 24 h. */
export function parseWebhookSigningSecrets(raw: string, source: string): string[] {
  const secrets = raw
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0 || secrets.some((secret) => !secret.startsWith('whsec_'))) {
    throw new ConfigError(source, 'must be a comma-separated list of whsec_ secrets');
  }
  return secrets;
}
