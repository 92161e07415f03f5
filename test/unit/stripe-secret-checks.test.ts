import type { Logger } from '../../functions/shared/logger';
import {
  reportingRefusals,
  stripeSecretKeyReader,
  webhookSigningSecretsReader,
} from '../../functions/shared/secrets';

/*
 * Stripe's key formats (https://docs.stripe.com/keys): secret keys sk_test_/sk_live_, restricted keys
 * rk_test_/rk_live_, each followed by a long random part; webhook signing secrets whsec_ followed by a long
 * random part (https://docs.stripe.com/webhooks#verify-events). 24 characters after the prefix is the
 * floor this service accepts.
 */
const random = (length: number) => 'x9'.repeat(length).slice(0, length);
const key = (prefix: string) => `${prefix}${random(32)}`;

describe('a Stripe API key is checked against the deployment before anything reaches Stripe', () => {
  it.each([
    ['a live secret key on an unauthenticated stack', 'sk_live_', { AUTH_MODE: 'none', STRIPE_MODE: 'test' }],
    [
      'a live restricted key on an unauthenticated stack',
      'rk_live_',
      { AUTH_MODE: 'none', STRIPE_MODE: 'test' },
    ],
  ])('%s is refused, naming the problem and the secret, never the value', (_label, prefix, env) => {
    const value = key(prefix);
    let refusal: unknown;
    try {
      stripeSecretKeyReader({ ...env, STRIPE_SECRET_KEY: value });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(Error);
    const message = (refusal as Error).message;
    expect(message).toMatch(/STRIPE_SECRET_KEY/);
    expect(message).toMatch(/unauthenticated/);
    expect(message).toMatch(/live-mode key/);
    expect(message).not.toContain(value);
  });

  it('an unauthenticated stack refuses a live key even if STRIPE_MODE says live', () => {
    expect(() =>
      stripeSecretKeyReader({ AUTH_MODE: 'none', STRIPE_MODE: 'live', STRIPE_SECRET_KEY: key('sk_live_') }),
    ).toThrow(/unauthenticated/);
  });

  it.each([
    ['a test key on a live deployment', 'sk_test_', 'live'],
    ['a live key on a test deployment', 'rk_live_', 'test'],
  ])('%s is refused in every auth mode', (_label, prefix, mode) => {
    expect(() =>
      stripeSecretKeyReader({ AUTH_MODE: 'jwt', STRIPE_MODE: mode, STRIPE_SECRET_KEY: key(prefix) }),
    ).toThrow(/STRIPE_MODE is/);
  });

  it('a key of the deployment’s mode is accepted', async () => {
    const live = key('rk_live_');
    expect(
      await stripeSecretKeyReader({ AUTH_MODE: 'jwt', STRIPE_MODE: 'live', STRIPE_SECRET_KEY: live })(),
    ).toBe(live);
  });

  it('STRIPE_MODE is required wherever the API key is read', () => {
    expect(() => stripeSecretKeyReader({ STRIPE_SECRET_KEY: key('sk_test_') })).toThrow(/STRIPE_MODE/);
  });

  it('a key with fewer than 24 characters after its prefix is refused', () => {
    expect(() =>
      stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY: `sk_test_${random(23)}` }),
    ).toThrow(/STRIPE_SECRET_KEY is too short/);
    expect(() =>
      stripeSecretKeyReader({ STRIPE_MODE: 'test', STRIPE_SECRET_KEY: `sk_test_${random(24)}` }),
    ).not.toThrow();
  });
});

describe('webhook signing secrets must look like Stripe’s (issue 12, finding 6)', () => {
  it.each([
    ['whsec_ alone (an unset shell variable)', 'whsec_'],
    ['23 characters after whsec_', `whsec_${random(23)}`],
    ['one short secret beside a good one', `${key('whsec_')},whsec_short`],
  ])('%s is refused, naming the secret', (_label, value) => {
    expect(() => webhookSigningSecretsReader({ STRIPE_WEBHOOK_SECRET: value })).toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
  });

  it('24 characters after whsec_ are accepted', async () => {
    const secret = `whsec_${random(24)}`;
    expect(await webhookSigningSecretsReader({ STRIPE_WEBHOOK_SECRET: secret })()).toEqual([secret]);
  });
});

describe('a refused secret is logged and counted', () => {
  it('one error log line and one SecretsRefused count per refused read; the error goes on', async () => {
    const logLines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const counted: string[] = [];
    const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      logLines.push({ level, message, fields });
    const log: Logger = {
      debug: line('debug'),
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
      child: () => log,
    };
    // As the Secrets Manager path refuses: at the first read, not at cold start.
    const refusing = async (): Promise<string> =>
      stripeSecretKeyReader({ AUTH_MODE: 'none', STRIPE_MODE: 'test', STRIPE_SECRET_KEY: key('sk_live_') })();
    const read = reportingRefusals(refusing, { log, metrics: { count: (metric) => counted.push(metric) } });
    await expect(read()).rejects.toThrow(/unauthenticated/);
    expect(logLines).toEqual([
      {
        level: 'error',
        message: 'Stripe secret refused; nothing sent to Stripe',
        fields: expect.objectContaining({ errorName: 'SecretRefused' }),
      },
    ]);
    expect(counted).toEqual(['SecretsRefused']);
  });
});
