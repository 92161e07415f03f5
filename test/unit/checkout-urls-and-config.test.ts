import { ConfigError, readCheckoutConfig, readStripeConnection } from '../../functions/shared/config';
import { withSessionIdParameter } from '../../functions/shared/flow/create-checkout-session';
import { stripeSecretKeyReader, webhookSigningSecretsReader } from '../../functions/shared/secrets';

describe('withSessionIdParameter', () => {
  it.each([
    ['https://app.example.com/done', 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}'],
    [
      'https://app.example.com/done?tab=billing',
      'https://app.example.com/done?tab=billing&session_id={CHECKOUT_SESSION_ID}',
    ],
    ['https://app.example.com/done?', 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}'],
    ['https://app.example.com/done#top', 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}#top'],
    [
      'https://app.example.com/done?s={CHECKOUT_SESSION_ID}',
      'https://app.example.com/done?s={CHECKOUT_SESSION_ID}',
    ],
  ])('%s → %s', (input, expected) => {
    expect(withSessionIdParameter(input)).toBe(expected);
  });
});

describe('configuration', () => {
  it('names the missing variable, and the Secrets Manager alternative', () => {
    expect(() => stripeSecretKeyReader({ STRIPE_MODE: 'test' })).toThrow(
      new ConfigError(
        'STRIPE_SECRET_KEY',
        'is required (or STRIPE_SECRET_KEY_ARN, naming a Secrets Manager secret)',
      ),
    );
  });

  it('refuses a publishable key where a secret key belongs', () => {
    expect(() => stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY: 'pk_test_123' })).toThrow(
      /STRIPE_SECRET_KEY/,
    );
  });

  // GetSecretValue's SecretId takes an ARN or a secret's name; a name may hold only these characters
  // (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#SecretsManager-CreateSecret-request-Name).
  it('refuses a secret reference that is neither a Secrets Manager ARN nor a secret name', () => {
    expect(() =>
      stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY_ARN: 'my secret; rm -rf' }),
    ).toThrow(/STRIPE_SECRET_KEY_ARN/);
    expect(() =>
      stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY_ARN: 'stripe-apikey' }),
    ).not.toThrow();
  });

  it('accepts restricted keys, and points the SDK at STRIPE_API_BASE', async () => {
    const key = `rk_test_${'a'.repeat(24)}`;
    expect(await stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY: key })()).toBe(key);
    expect(readStripeConnection({ STRIPE_API_BASE: 'http://127.0.0.1:12111' }).apiBase?.port).toBe('12111');
    expect(() => readStripeConnection({ STRIPE_API_BASE: 'localhost' })).toThrow(/STRIPE_API_BASE/);
  });

  it('reads a comma-separated list of webhook secrets for rotation', async () => {
    const [oldSecret, newSecret] = [`whsec_old${'o'.repeat(24)}`, `whsec_new${'n'.repeat(24)}`];
    expect(
      await webhookSigningSecretsReader({ STRIPE_WEBHOOK_SECRET: `${oldSecret}, ${newSecret}` })(),
    ).toEqual([oldSecret, newSecret]);
    expect(() => webhookSigningSecretsReader({ STRIPE_WEBHOOK_SECRET: `${oldSecret},sk_test_oops` })).toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
  });

  it('defaults the currency and validates the redirect URLs', () => {
    const env = { CHECKOUT_SUCCESS_URL: 'https://a.example/ok', CHECKOUT_CANCEL_URL: 'https://a.example/no' };
    expect(readCheckoutConfig(env).currency).toBe('usd');
    expect(() => readCheckoutConfig({ ...env, CHECKOUT_CANCEL_URL: 'ftp://a.example' })).toThrow(
      /CHECKOUT_CANCEL_URL/,
    );
    expect(() => readCheckoutConfig({ ...env, CHECKOUT_CURRENCY: 'euro' })).toThrow(/CHECKOUT_CURRENCY/);
  });

  // Stripe's "Customize redirect behavior" page: Stripe replaces the literal {CHECKOUT_SESSION_ID} in
  // success_url; an encoded %7BCHECKOUT_SESSION_ID%7D is left alone and a second session_id gets appended.
  it('keeps {CHECKOUT_SESSION_ID} in a configured success URL’s path as written', () => {
    const successUrl = 'https://a.example/billing/{CHECKOUT_SESSION_ID}/done';
    const config = readCheckoutConfig({
      CHECKOUT_SUCCESS_URL: successUrl,
      CHECKOUT_CANCEL_URL: 'https://a.example/no',
    });
    expect(config.successUrl).toBe(successUrl);
    expect(withSessionIdParameter(config.successUrl)).toBe(successUrl);
  });
});
