import {
  readCallerAuthConfig,
  readSessionsPerCustomerPerMinute,
  readStripeMode,
} from '../../functions/shared/config';

describe('AUTH_MODE and the JWT settings', () => {
  it('must be chosen: unset stops the function, naming the variable', () => {
    expect(() => readCallerAuthConfig({})).toThrow(/AUTH_MODE is required/);
    expect(() => readCallerAuthConfig({ AUTH_MODE: 'maybe' })).toThrow(/AUTH_MODE must be jwt or none/);
  });

  it('none needs nothing else', () => {
    expect(readCallerAuthConfig({ AUTH_MODE: 'none' })).toEqual({ mode: 'none' });
  });

  it('jwt needs an issuer and an audience, and defaults the customer claim', () => {
    expect(
      readCallerAuthConfig({
        AUTH_MODE: 'jwt',
        JWT_ISSUER: 'https://auth.example.com/',
        JWT_AUDIENCE: 'billing-api, billing-web',
      }),
    ).toEqual({
      mode: 'jwt',
      issuer: 'https://auth.example.com/',
      audiences: ['billing-api', 'billing-web'],
      customerClaim: 'stripe_customer_id',
      maxTokenAgeSeconds: 86_400,
      jwksHosts: [],
    });
    expect(() => readCallerAuthConfig({ AUTH_MODE: 'jwt', JWT_AUDIENCE: 'a' })).toThrow(/JWT_ISSUER/);
    expect(() => readCallerAuthConfig({ AUTH_MODE: 'jwt', JWT_ISSUER: 'https://a.example' })).toThrow(
      /JWT_AUDIENCE/,
    );
  });

  it('refuses an issuer over plain http unless it is this machine (the local issuer)', () => {
    const base = { AUTH_MODE: 'jwt', JWT_AUDIENCE: 'a' };
    expect(() => readCallerAuthConfig({ ...base, JWT_ISSUER: 'http://auth.example.com' })).toThrow(
      /JWT_ISSUER/,
    );
    expect(readCallerAuthConfig({ ...base, JWT_ISSUER: 'http://127.0.0.1:4000' }).mode).toBe('jwt');
  });
});

describe('STRIPE_MODE and the session cap', () => {
  it('STRIPE_MODE is test or live, required', () => {
    expect(readStripeMode({ STRIPE_MODE: 'LIVE' })).toBe('live');
    expect(() => readStripeMode({})).toThrow(/STRIPE_MODE is required/);
    expect(() => readStripeMode({ STRIPE_MODE: 'sandbox' })).toThrow(/STRIPE_MODE/);
  });

  it('SESSIONS_PER_CUSTOMER_PER_MINUTE defaults to 10 and must be positive', () => {
    expect(readSessionsPerCustomerPerMinute({})).toBe(10);
    expect(() => readSessionsPerCustomerPerMinute({ SESSIONS_PER_CUSTOMER_PER_MINUTE: '0' })).toThrow(
      /SESSIONS_PER_CUSTOMER_PER_MINUTE/,
    );
  });
});
