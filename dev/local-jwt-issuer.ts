import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { isClaimPath } from '../functions/shared/auth/customer-claim';
import { guardHost } from './host-check';

/**
 * A local OpenID issuer, so the local stack and tests run with authentication on: an RS256 key pair made at
 * start, the OIDC discovery document and the JWKS served over HTTP as any identity provider serves them,
 * and `mint` to sign tokens. API Gateway's JWT authorizer (mirrored by the local HTTP API) and the form
 * route's in-function check fetch the keys from here exactly as they would from Cognito or Auth0.
 */
export interface LocalJwtIssuer {
  /** The `iss` of every token, e.g. http://127.0.0.1:54321 */
  issuer: string;
  audience: string;
  customerClaim: string;
  jwksUrl: string;
  /** A token for a customer, valid for an hour unless told otherwise. */
  tokenFor(customerId: string, options?: MintOptions): Promise<string>;
  /** Signs any claims with the issuer's key (defaults: iss, aud, iat, exp in an hour). */
  mint(claims: JWTPayload, options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

/** Defaults make a good token; each option bends one rule, so tests can show the rule is enforced. */
export interface MintOptions {
  /** Seconds from now; negative for a token that has already expired; null for no `exp` at all. */
  expiresIn?: number | null;
  /** Seconds from now for `iat` (default 0). */
  issuedAt?: number;
  /** The header's key id; null leaves it out. */
  kid?: string | null;
  audience?: string | string[] | null;
  issuer?: string;
  /** Seconds from now before which the token is not valid. */
  notBefore?: number;
}

export interface LocalJwtIssuerOptions {
  port?: number;
  host?: string;
  audience?: string;
  customerClaim?: string;
}

export const LOCAL_JWT_AUDIENCE = 'stripe-setup-mode-service';

export async function startLocalJwtIssuer(options: LocalJwtIssuerOptions = {}): Promise<LocalJwtIssuer> {
  const { host = '127.0.0.1', audience = LOCAL_JWT_AUDIENCE, customerClaim = 'stripe_customer_id' } = options;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let issuer = '';

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const documents: Record<string, unknown> = {
      '/.well-known/openid-configuration': {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256'],
      },
      '/.well-known/jwks.json': jwks,
    };
    const document = request.method === 'GET' ? documents[path] : undefined;
    response.writeHead(document ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(document ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  guardHost(server, host);
  issuer = `http://${host}:${(server.address() as AddressInfo).port}`;

  async function mint(claims: JWTPayload, mintOptions: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const audienceClaim = mintOptions.audience === undefined ? audience : mintOptions.audience;
    const keyId = mintOptions.kid === undefined ? kid : mintOptions.kid;
    const jwt = new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(keyId === null ? {} : { kid: keyId }) })
      .setIssuer(mintOptions.issuer ?? issuer)
      .setIssuedAt(now + (mintOptions.issuedAt ?? 0));
    if (mintOptions.expiresIn !== null) jwt.setExpirationTime(now + (mintOptions.expiresIn ?? 3600));
    if (audienceClaim !== null) jwt.setAudience(audienceClaim);
    if (mintOptions.notBefore !== undefined) jwt.setNotBefore(now + mintOptions.notBefore);
    return jwt.sign(privateKey);
  }

  return {
    issuer,
    audience,
    customerClaim,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    mint,
    tokenFor: (customerId, mintOptions) =>
      mint({ sub: `user-of-${customerId}`, ...customerClaimFor(customerClaim, customerId) }, mintOptions),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The claim as a provider would write it: a dot path (`app_metadata.stripe_customer_id`) becomes nested objects. */
function customerClaimFor(name: string, customerId: string): Record<string, unknown> {
  if (!isClaimPath(name)) return { [name]: customerId };
  return name
    .split('.')
    .reduceRight<unknown>((value, segment) => ({ [segment]: value }), customerId) as Record<string, unknown>;
}
