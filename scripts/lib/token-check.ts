import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import {
  isClaimPath,
  isStripeCustomerId,
  readCustomerClaim,
} from '../../functions/shared/auth/customer-claim';
import { createJwtVerifier } from '../../functions/shared/auth/jwt-verifier';

/**
 * Why a token is refused, one rule at a time, in the order API Gateway's JWT authorizer applies them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): an RSA
 * signature by a key the issuer publishes in its OIDC discovery document's `jwks_uri`, chosen by `kid`; `iss`
 * exactly the issuer; `aud` one of the audiences (or `client_id` when there is no `aud`); `exp` in the future,
 * `nbf` and `iat` in the past. Then the function's own rule: the customer claim holds a Stripe customer id.
 * The verdict comes from the service's own verifier, so this report cannot pass a token the service refuses.
 */
export interface TokenRules {
  /** The configured JWT_ISSUER; without it `iss` is only shown, and the keys are fetched from the token's. */
  issuer?: string;
  audiences: readonly string[];
  customerClaim: string;
}

export type CheckName =
  | 'format'
  | 'alg'
  | 'iss'
  | 'aud'
  | 'exp'
  | 'nbf'
  | 'iat'
  | 'key'
  | 'claim'
  | 'verdict';
export interface CheckLine {
  check: CheckName;
  result: 'ok' | 'FAIL' | 'not checked';
  detail: string;
}

const RSA = ['RS256', 'RS384', 'RS512'];
const FETCH_TIMEOUT_MS = 5000;

export async function checkToken(token: string, rules: TokenRules, nowMs = Date.now()): Promise<CheckLine[]> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return [
      fail('format', 'not a JWT: expected three base64url parts, header.payload.signature, with JSON inside'),
    ];
  }
  const now = Math.floor(nowMs / 1000);
  const lines = [
    checkAlgorithm(header.alg),
    checkIssuer(claims.iss, rules.issuer),
    checkAudience(claims, rules.audiences),
    ...checkTimes(claims, now),
    await checkKey(token, header.kid, rules.issuer ?? claims.iss),
    checkClaim(claims, rules.customerClaim),
  ];
  lines.push(await verdict(token, rules, lines));
  return lines;
}

function checkAlgorithm(alg: unknown): CheckLine {
  if (typeof alg === 'string' && RSA.includes(alg)) return ok('alg', alg);
  return fail(
    'alg',
    `${String(alg)}: API Gateway accepts only RSA signatures (RS256, RS384, RS512). Sign with an RSA key ` +
      '(Auth0: the API’s signing algorithm RS256; Supabase: asymmetric JWT signing keys, not the legacy HS256 secret).',
  );
}

function checkIssuer(iss: unknown, expected: string | undefined): CheckLine {
  if (typeof iss !== 'string') return fail('iss', 'the token has no iss claim');
  if (expected === undefined) return notChecked('iss', `${iss} (set JWT_ISSUER or --issuer to compare)`);
  if (iss === expected) return ok('iss', iss);
  const hint =
    iss.replace(/\/+$/, '') === expected.replace(/\/+$/, '')
      ? ' — they differ only by the trailing slash, and the comparison is exact (Auth0 issuers end with "/", Cognito issuers do not)'
      : '';
  return fail('iss', `the token's iss is ${iss}, the service expects exactly ${expected}${hint}`);
}

function checkAudience(claims: JWTPayload, audiences: readonly string[]): CheckLine {
  const aud = claims.aud === undefined ? [] : [claims.aud].flat();
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : undefined;
  const shown =
    aud.length > 0
      ? `aud ${aud.join(', ')}`
      : clientId
        ? `no aud, client_id ${clientId}`
        : 'no aud and no client_id';
  if (audiences.length === 0)
    return notChecked('aud', `${shown} (set JWT_AUDIENCE or --audience to compare)`);
  const matches =
    aud.length > 0
      ? aud.some((a) => audiences.includes(a))
      : clientId !== undefined && audiences.includes(clientId);
  if (matches) return ok('aud', shown);
  const auth0 =
    aud.some((a) => /\/userinfo$/.test(a)) || aud.length === 0
      ? ' — an Auth0 SPA must ask for the API: authorizationParams: { audience: "<API identifier>" }'
      : '';
  const clientIdOnly =
    aud.length > 0 && clientId !== undefined && audiences.includes(clientId)
      ? ' — client_id matches, but API Gateway checks client_id only when the token has no aud'
      : '';
  return fail('aud', `${shown}; the service accepts ${audiences.join(', ')}${clientIdOnly}${auth0}`);
}

function checkTimes(claims: JWTPayload, now: number): CheckLine[] {
  const at = (seconds: number) => new Date(seconds * 1000).toISOString();
  const lines: CheckLine[] = [];
  if (typeof claims.exp !== 'number')
    lines.push(fail('exp', 'the token has no exp; API Gateway requires one'));
  else if (claims.exp <= now)
    lines.push(fail('exp', `expired ${ago(now - claims.exp)} ago (${at(claims.exp)}): get a fresh token`));
  else lines.push(ok('exp', `valid for ${ago(claims.exp - now)} more (${at(claims.exp)})`));
  if (typeof claims.nbf === 'number' && claims.nbf > now) {
    lines.push(
      fail(
        'nbf',
        `not valid until ${at(claims.nbf)}, ${ago(claims.nbf - now)} from now: check this machine's or the issuer's clock`,
      ),
    );
  }
  if (typeof claims.iat === 'number' && claims.iat > now) {
    lines.push(
      fail(
        'iat',
        `issued ${ago(claims.iat - now)} in the future (${at(claims.iat)}): check this machine's or the issuer's clock`,
      ),
    );
  }
  return lines;
}

async function checkKey(token: string, kid: unknown, issuer: unknown): Promise<CheckLine> {
  if (typeof kid !== 'string' || kid === '')
    return fail('key', 'the token header names no key (kid); API Gateway needs one');
  if (typeof issuer !== 'string') return fail('key', 'no issuer to fetch keys from');
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let jwks: { keys: { kid?: string }[] };
  try {
    const discovery = (await fetchJson(discoveryUrl)) as { jwks_uri?: unknown };
    if (typeof discovery.jwks_uri !== 'string') return fail('key', `${discoveryUrl} names no jwks_uri`);
    jwks = (await fetchJson(discovery.jwks_uri)) as typeof jwks;
    if (!Array.isArray(jwks.keys)) return fail('key', `${discovery.jwks_uri} holds no keys`);
  } catch (error) {
    return fail(
      'key',
      `the issuer's keys could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const published = jwks.keys.map((key) => key.kid).filter((id): id is string => typeof id === 'string');
  if (!published.includes(kid)) {
    return fail(
      'key',
      `kid ${kid} is not among the issuer's keys (${published.join(', ') || 'none'}): a token from another issuer or environment, or a key rotated out`,
    );
  }
  try {
    await compactVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), {
      algorithms: RSA,
    });
  } catch {
    return fail(
      'key',
      `kid ${kid} is the issuer's, but the signature does not match it: the token was altered or signed with another key`,
    );
  }
  return ok('key', `signature verified with kid ${kid}`);
}

function checkClaim(claims: JWTPayload, name: string): CheckLine {
  const value = readCustomerClaim(claims, name);
  if (isStripeCustomerId(value)) return ok('claim', `${name} = ${value}`);
  if (value !== undefined)
    return fail('claim', `${name} is ${JSON.stringify(value)}, not a Stripe customer id (cus_…)`);
  const present = Object.keys(claims).sort().join(', ');
  const cognito =
    claims.token_use === 'access'
      ? ' — a Cognito access token gets custom claims only from a V2 pre-token-generation trigger (V1 adds them to the ID token only)'
      : '';
  const path = isClaimPath(name) ? ' (read as a path into nested objects)' : '';
  return fail(
    'claim',
    `no ${name}${path} in the token (its claims: ${present}); the service answers 403 no_customer_claim${cognito}`,
  );
}

async function verdict(token: string, rules: TokenRules, lines: CheckLine[]): Promise<CheckLine> {
  if (rules.issuer === undefined || rules.audiences.length === 0) {
    return notChecked(
      'verdict',
      'set JWT_ISSUER and JWT_AUDIENCE (or --issuer and --audience) for the service’s own verdict',
    );
  }
  const check = await createJwtVerifier({ issuer: rules.issuer, audiences: rules.audiences })(token);
  const claimOk = lines.find((line) => line.check === 'claim')?.result === 'ok';
  if (check.valid && claimOk) return ok('verdict', 'the service accepts this token');
  return fail(
    'verdict',
    `the service refuses this token: ${check.valid ? 'it names no Stripe customer (403 no_customer_claim)' : `${check.reason} (${check.unavailable ? '503 auth_unavailable' : '401'})`}`,
  );
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function ago(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

const ok = (check: CheckName, detail: string): CheckLine => ({ check, result: 'ok', detail });
const fail = (check: CheckName, detail: string): CheckLine => ({ check, result: 'FAIL', detail });
const notChecked = (check: CheckName, detail: string): CheckLine => ({
  check,
  result: 'not checked',
  detail,
});

export function formatReport(lines: CheckLine[]): string {
  return `${lines.map((line) => `${line.result.padEnd(11)} ${line.check.padEnd(7)} ${line.detail}`).join('\n')}\n`;
}
