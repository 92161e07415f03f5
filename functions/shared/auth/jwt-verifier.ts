import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';

/**
 * Verifies a caller's JWT by API Gateway's own rules for HTTP API JWT authorizers
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): the key comes
 * from the issuer's OIDC discovery document (`jwks_uri`) and is chosen by the token's `kid`; only RSA
 * algorithms; `iss` exactly the issuer; `aud` one of the audiences, or `client_id` when there is no `aud`;
 * `exp` in the future, `nbf` and `iat` in the past. One implementation serves both places that must agree
 * with API Gateway: the form route, which verifies its hidden-field token in the function, and the local
 * API Gateway emulator.
 */

export interface JwtRules {
  issuer: string;
  audiences: readonly string[];
  /** See `checkTokenAge`; unset: no limit beyond `exp` (API Gateway's own rule). */
  maxTokenAgeSeconds?: number;
  /** Hosts `jwks_uri` may name besides the issuer's. */
  jwksHosts?: readonly string[];
}

/** Clocks disagree: an identity provider a second or two ahead must not fail fresh tokens. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * API Gateway's authorizer accepts any unexpired token, however far its `exp` lies (it has no maximum age:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), so the
 * function checks the age on every route: issued at most `maxAgeSeconds` ago, and valid for at most that
 * long after issue (or from now, without `iat`). API Gateway passes claims as strings, so both forms are read.
 * Returns the problem, or undefined.
 */
export function checkTokenAge(
  claims: Record<string, unknown>,
  maxAgeSeconds: number,
  nowSeconds: number = Date.now() / 1000,
): string | undefined {
  const numeric = (value: unknown) =>
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : undefined;
  const exp = numeric(claims.exp);
  const iat = numeric(claims.iat);
  if (exp === undefined) return 'The token has no expiry (exp).';
  const issued = iat ?? nowSeconds;
  if (nowSeconds - issued > maxAgeSeconds + CLOCK_TOLERANCE_SECONDS)
    return 'The token is older than the service accepts.';
  if (exp - issued > maxAgeSeconds + CLOCK_TOLERANCE_SECONDS)
    return 'The token lives longer than the service accepts.';
  return undefined;
}

export type TokenCheck =
  | { valid: true; claims: JWTPayload }
  /** `unavailable`: the issuer's keys could not be fetched, so the token was not judged at all. */
  | { valid: false; reason: string; unavailable: boolean };

export type JwtVerifier = (token: string) => Promise<TokenCheck>;

/** "Currently, only RSA-based algorithms are supported" (API Gateway). */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const FETCH_TIMEOUT_MS = 3000;
/** jose errors that say the keys could not be had, not that the token is bad. */
// ERR_JOSE_GENERIC is what jose throws when the JWKS endpoint answers with an error status.
const KEY_FETCH_FAILURES = ['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC'];

export function createJwtVerifier(rules: JwtRules): JwtVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  // Discovery runs once per cold start; a failed attempt is forgotten so the next request tries again.
  const keySet = () => {
    keys ??= discoverKeySet(rules.issuer, rules.jwksHosts ?? []).catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };

  return async (token) => {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return invalid('The token is not a JWT.');
    }
    if (typeof kid !== 'string' || kid === '') return invalid('The token names no signing key (kid).');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, await keySet(), {
        issuer: rules.issuer,
        algorithms: RSA_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_') && !KEY_FETCH_FAILURES.includes(code)) {
        return invalid(`The token was refused (${code}).`);
      }
      return { valid: false, reason: "The issuer's signing keys could not be fetched.", unavailable: true };
    }
    if (!audienceMatches(claims, rules.audiences)) return invalid('The token is for another audience.');
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      return invalid('The token was issued in the future.');
    }
    const tooOld = rules.maxTokenAgeSeconds ? checkTokenAge(claims, rules.maxTokenAgeSeconds) : undefined;
    if (tooOld) return invalid(tooOld);
    return { valid: true, claims };
  };
}

/** API Gateway checks `client_id` only when there is no `aud` (Cognito access tokens carry none). */
function audienceMatches(claims: JWTPayload, audiences: readonly string[]): boolean {
  if (claims.aud !== undefined) return [claims.aud].flat().some((aud) => audiences.includes(aud));
  return typeof claims.client_id === 'string' && audiences.includes(claims.client_id);
}

/**
 * The keys must come over https from the issuer's own host, or from a host the operator named (Google and
 * Firebase publish keys elsewhere): a discovery document that pointed anywhere else — plain http, or
 * another host — would let whoever controls that place sign tokens. Plain http only for a loopback issuer
 * (the local stack's).
 */
export function checkJwksUri(
  issuer: string,
  jwksUri: string,
  jwksHosts: readonly string[],
): string | undefined {
  let keys: URL;
  try {
    keys = new URL(jwksUri);
  } catch {
    return 'jwks_uri is not a URL';
  }
  const issuerUrl = new URL(issuer);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuerUrl.hostname);
  if (
    keys.protocol !== 'https:' &&
    !(loopback && keys.protocol === 'http:' && issuerUrl.protocol === 'http:')
  ) {
    return 'jwks_uri must be https';
  }
  if (keys.host !== issuerUrl.host && !jwksHosts.includes(keys.host)) {
    return `jwks_uri is on ${keys.host}, not the issuer's host (name it in JWT_JWKS_HOSTS to allow it)`;
  }
  return undefined;
}

async function discoverKeySet(issuer: string, jwksHosts: readonly string[]) {
  const discovery = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discovery, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error('OIDC discovery names no jwks_uri');
  const refused = checkJwksUri(issuer, jwksUri, jwksHosts);
  if (refused) throw new Error(refused);
  return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS });
}

/** `Authorization: Bearer <token>`, or the bare token, as API Gateway's identity source accepts both. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  return match ? match[1] : value.includes(' ') ? undefined : value;
}

function invalid(reason: string): TokenCheck {
  return { valid: false, reason, unavailable: false };
}
