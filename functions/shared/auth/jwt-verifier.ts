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
    keys ??= discoverKeySet(rules.issuer).catch((error: unknown) => {
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
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_') && !KEY_FETCH_FAILURES.includes(code)) {
        return invalid(`The token was refused (${code}).`);
      }
      return { valid: false, reason: "The issuer's signing keys could not be fetched.", unavailable: true };
    }
    if (!audienceMatches(claims, rules.audiences)) return invalid('The token is for another audience.');
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000) {
      return invalid('The token was issued in the future.');
    }
    return { valid: true, claims };
  };
}

/** API Gateway checks `client_id` only when there is no `aud` (Cognito access tokens carry none). */
function audienceMatches(claims: JWTPayload, audiences: readonly string[]): boolean {
  if (claims.aud !== undefined) return [claims.aud].flat().some((aud) => audiences.includes(aud));
  return typeof claims.client_id === 'string' && audiences.includes(claims.client_id);
}

async function discoverKeySet(issuer: string) {
  const discovery = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discovery, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error('OIDC discovery names no jwks_uri');
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
