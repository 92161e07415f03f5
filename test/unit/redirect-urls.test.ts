import { assertAllowedRedirect } from '../../functions/checkout-api/redirect-urls';
import { ConfigError, readAllowedRedirectOrigins } from '../../functions/shared/config';

const ALLOWED = ['https://app.example.com', 'http://localhost:3000'];

describe('a caller-chosen redirect URL', () => {
  it.each([
    'https://app.example.com/billing/done',
    'https://app.example.com/done?tab=cards#top',
    'https://APP.example.com/done',
    'https://app.example.com:443/done',
    'http://localhost:3000/success',
  ])('%s is allowed', (url) => {
    expect(() => assertAllowedRedirect('successUrl', url, ALLOWED)).not.toThrow();
  });

  it.each([
    ['another host', 'https://evil.example/done'],
    ['a lookalike suffix', 'https://app.example.com.evil.example/done'],
    ['a lookalike prefix', 'https://evilapp.example.com/done'],
    ['user info hiding the host', 'https://app.example.com@evil.example/done'],
    ['user info with a password', 'https://user:pass@app.example.com/done'],
    ['another port', 'https://app.example.com:8443/done'],
    ['plain http to a public host', 'http://app.example.com/done'],
    ['plain http to localhost on another port', 'http://localhost:4000/success'],
    ['a backslash that parsers disagree on', 'https://app.example.com\\@evil.example/'],
    ['a protocol-relative URL', '//evil.example/done'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a Cyrillic lookalike host', 'https://аpp.example.com/done'],
    ['a space', 'https://app.example.com /done'],
    ['a control character', 'https://app.example.com/\u0000done'],
    ['a scheme without slashes', 'https:evil.example'],
  ])('%s is refused with 400 redirect_not_allowed', (_label, url) => {
    expect(() => assertAllowedRedirect('successUrl', url, ALLOWED)).toThrow(
      expect.objectContaining({ status: 400, code: 'redirect_not_allowed' }),
    );
  });

  it('with no allowed origins, no caller-chosen URL passes', () => {
    expect(() => assertAllowedRedirect('cancelUrl', 'https://app.example.com/', [])).toThrow(
      /cancelUrl must point at one of the origins/,
    );
  });
});

describe('ALLOWED_REDIRECT_ORIGINS', () => {
  it('reads bare origins, normalised', () => {
    expect(
      readAllowedRedirectOrigins({
        ALLOWED_REDIRECT_ORIGINS: 'https://App.example.com, http://localhost:3000',
      }),
    ).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(readAllowedRedirectOrigins({})).toEqual([]);
  });

  it('spells a default port and an IDN host as a browser’s Origin header does (WHATWG URL), not a cold-start crash', () => {
    expect(
      readAllowedRedirectOrigins({
        ALLOWED_REDIRECT_ORIGINS:
          'https://app.example.com:443,https://bücher.example,https://shop.example.com/',
      }),
    ).toEqual(['https://app.example.com', 'https://xn--bcher-kva.example', 'https://shop.example.com']);
  });

  it.each([
    'https://app.example.com/path',
    'http://app.example.com',
    'https://u@app.example.com',
    'app.example.com',
  ])('refuses %s, naming the variable', (origin) => {
    expect(() => readAllowedRedirectOrigins({ ALLOWED_REDIRECT_ORIGINS: origin })).toThrow(ConfigError);
    expect(() => readAllowedRedirectOrigins({ ALLOWED_REDIRECT_ORIGINS: origin })).toThrow(
      /ALLOWED_REDIRECT_ORIGINS/,
    );
  });
});
