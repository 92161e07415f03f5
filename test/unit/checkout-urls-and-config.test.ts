import {
  ConfigError,
  readCheckoutConfig,
  readStripeApiConfig,
  readStripeWebhookConfig,
} from '../../functions/shared/config';
import { withSessionIdParameter } from '../../functions/shared/flow/create-checkout-session';

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
  it('names the missing variable', () => {
    expect(() => readStripeApiConfig({})).toThrow(
      new ConfigError('STRIPE_SECRET_KEY', 'is required but not set'),
    );
  });

  it('refuses a publishable key where a secret key belongs', () => {
    expect(() => readStripeApiConfig({ STRIPE_SECRET_KEY: 'pk_test_123' })).toThrow(/STRIPE_SECRET_KEY/);
  });

  it('accepts restricted keys and points the SDK at STRIPE_API_BASE', () => {
    const config = readStripeApiConfig({
      STRIPE_SECRET_KEY: 'rk_test_abc',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
    });
    expect(config.secretKey).toBe('rk_test_abc');
    expect(config.apiBase?.port).toBe('12111');
  });

  it('reads a comma-separated list of webhook secrets for rotation', () => {
    expect(readStripeWebhookConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_old, whsec_new' })).toEqual({
      signingSecrets: ['whsec_old', 'whsec_new'],
      toleranceSeconds: 300,
    });
    expect(() => readStripeWebhookConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_ok,sk_test_oops' })).toThrow(
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
});
