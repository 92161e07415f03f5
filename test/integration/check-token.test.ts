import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { type LocalJwtIssuer, startLocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { type CheckLine, checkToken, type TokenRules } from '../../scripts/lib/token-check';
import { forgedTokens } from '../support/tokens';

/*
 * `npm run check-token` against a real OIDC issuer over HTTP (the local issuer: discovery document, JWKS,
 * RS256 keys). Each token breaks one of API Gateway's JWT authorizer rules
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html) or the
 * service's claim rule, and the report must name that rule — and only that one — as failing.
 */
let issuer: LocalJwtIssuer;
let rules: TokenRules;
beforeAll(async () => {
  issuer = await startLocalJwtIssuer();
  rules = { issuer: issuer.issuer, audiences: [issuer.audience], customerClaim: 'stripe_customer_id' };
});
afterAll(() => issuer.close());

const failing = (lines: CheckLine[]) => lines.filter((l) => l.result === 'FAIL').map((l) => l.check);
const detail = (lines: CheckLine[], check: string) => lines.find((l) => l.check === check)?.detail ?? '';

describe('check-token names the rule a token breaks', () => {
  it('a good token: every check ok, and the service’s own verifier agrees', async () => {
    const lines = await checkToken(await issuer.tokenFor('cus_good'), rules);
    expect(failing(lines)).toEqual([]);
    expect(detail(lines, 'claim')).toBe('stripe_customer_id = cus_good');
    expect(lines.at(-1)).toEqual({
      check: 'verdict',
      result: 'ok',
      detail: 'the service accepts this token',
    });
  });

  it('iss: another issuer, and the trailing-slash mismatch called out', async () => {
    const slash = await checkToken(await issuer.tokenFor('cus_1'), { ...rules, issuer: `${issuer.issuer}/` });
    expect(failing(slash)).toEqual(['iss', 'verdict']);
    expect(detail(slash, 'iss')).toMatch(/trailing slash/);
  });

  it('aud: a token for another API, with the Auth0 audience hint when it has only the userinfo audience', async () => {
    const lines = await checkToken(
      await issuer.tokenFor('cus_1', { audience: 'https://tenant.auth0.com/userinfo' }),
      rules,
    );
    expect(failing(lines)).toEqual(['aud', 'verdict']);
    expect(detail(lines, 'aud')).toMatch(/authorizationParams: \{ audience/);
  });

  it('aud: client_id counts only when there is no aud (Cognito access tokens)', async () => {
    const accessToken = await issuer.mint(
      { client_id: issuer.audience, token_use: 'access', stripe_customer_id: 'cus_1' },
      { audience: null },
    );
    expect(failing(await checkToken(accessToken, rules))).toEqual([]);
  });

  it('exp: expired says how long ago; a token without exp is refused', async () => {
    const expired = await checkToken(await issuer.tokenFor('cus_1', { expiresIn: -7200 }), rules);
    expect(failing(expired)).toEqual(['exp', 'verdict']);
    expect(detail(expired, 'exp')).toMatch(/^expired 2 h ago/);
    const noExp = await checkToken(await issuer.tokenFor('cus_1', { expiresIn: null }), rules);
    expect(failing(noExp)).toEqual(['exp', 'verdict']);
  });

  it('nbf and iat in the future point at the clocks', async () => {
    const lines = await checkToken(await issuer.tokenFor('cus_1', { notBefore: 600, issuedAt: 600 }), rules);
    expect(failing(lines)).toEqual(['nbf', 'iat', 'verdict']);
    expect(detail(lines, 'nbf')).toMatch(/clock/);
  });

  it('key: a kid the issuer never published, a signature by another key, no kid at all', async () => {
    const forged = await forgedTokens(issuer, 'cus_1');
    expect(failing(await checkToken(forged.unknownKid, rules))).toEqual(['key', 'verdict']);
    const otherKey = await checkToken(forged.otherKey, rules);
    expect(failing(otherKey)).toEqual(['key', 'verdict']);
    expect(detail(otherKey, 'key')).toMatch(/signature does not match/);
    expect(failing(await checkToken(await issuer.tokenFor('cus_1', { kid: null }), rules))).toEqual([
      'key',
      'verdict',
    ]);
  });

  it('alg: an HMAC token is refused as API Gateway refuses it', async () => {
    const { hmac } = await forgedTokens(issuer, 'cus_1');
    expect(failing(await checkToken(hmac, rules))).toContain('alg');
  });

  it('key: an issuer whose keys cannot be fetched says so', async () => {
    const lines = await checkToken(await issuer.tokenFor('cus_1'), {
      ...rules,
      issuer: 'http://127.0.0.1:9',
    });
    expect(detail(lines, 'key')).toMatch(/could not be fetched/);
  });

  it('claim: missing (naming the claims present, with the Cognito V2 hint on access tokens), or not a customer id', async () => {
    const missing = await checkToken(await issuer.mint({ sub: 'u1', token_use: 'access' }), rules);
    expect(failing(missing)).toEqual(['claim', 'verdict']);
    expect(detail(missing, 'claim')).toMatch(
      /its claims: .*sub.*403 no_customer_claim.*V2 pre-token-generation/,
    );
    const wrong = await checkToken(await issuer.mint({ stripe_customer_id: 'user-7' }), rules);
    expect(detail(wrong, 'claim')).toMatch(/not a Stripe customer id/);
  });

  it('claim: a nested path is read as the service reads it', async () => {
    const token = await issuer.mint({ app_metadata: { stripe_customer_id: 'cus_nested' } });
    const lines = await checkToken(token, { ...rules, customerClaim: 'app_metadata.stripe_customer_id' });
    expect(failing(lines)).toEqual([]);
  });

  it('without the service’s issuer and audience, iss, aud and the verdict are shown, not judged', async () => {
    const lines = await checkToken(await issuer.tokenFor('cus_1'), {
      audiences: [],
      customerClaim: 'stripe_customer_id',
    });
    expect(lines.filter((l) => l.result === 'not checked').map((l) => l.check)).toEqual([
      'iss',
      'aud',
      'verdict',
    ]);
    expect(failing(lines)).toEqual([]);
  });
});

describe('npm run check-token', () => {
  it('prints one line per check and exits 1 when one fails', async () => {
    const token = await issuer.tokenFor('cus_1', { expiresIn: -60 });
    const run = promisify(execFile)(
      process.execPath,
      [path.join(__dirname, '../../node_modules/tsx/dist/cli.mjs'), 'scripts/check-token.ts', token],
      {
        cwd: path.join(__dirname, '../..'),
        env: { ...process.env, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience },
      },
    );
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^FAIL +exp +expired/m),
    });
  });
});
