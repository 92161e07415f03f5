import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { LocalJwtIssuer } from '../../dev/local-jwt-issuer';

/** Headers that carry a token as a frontend sends it. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * Tokens an attacker could make: each would pass a check that forgot one of API Gateway's rules (signature
 * by the issuer's key, RSA only, a known key id).
 */
export async function forgedTokens(issuer: LocalJwtIssuer, customerId: string) {
  const genuine = await issuer.tokenFor(customerId);
  const kid = decodeProtectedHeader(genuine).kid as string;
  const claims = {
    [issuer.customerClaim]: customerId,
    iss: issuer.issuer,
    aud: issuer.audience,
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  const { privateKey: otherKey } = await generateKeyPair('RS256');
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    /** Signed with another RSA key under the issuer's own key id. */
    otherKey: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(otherKey),
    /** A key id the issuer never published. */
    unknownKid: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'not-a-key' })
      .sign(otherKey),
    /** `alg: none`, no signature. */
    unsigned: `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(claims)}.`,
    /** HMAC with a guessable secret, the classic algorithm-confusion forgery. */
    hmac: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode('secret')),
    /** The genuine token with its claims swapped for another customer's; the signature no longer matches. */
    tampered: (() => {
      const [header, payload, signature] = genuine.split('.');
      const changed = {
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        sub: 'someone-else',
      };
      return `${header}.${base64url(changed)}.${signature}`;
    })(),
  };
}

/**
 * What a page that renders the HTML form gets first: a form token the API mints for the signed-in user
 * (`POST /form-tokens` with their bearer token). Fails the test when the API refuses.
 */
export async function formTokenFrom(apiUrl: string, userToken: string): Promise<string> {
  const answer = await fetch(`${apiUrl}/form-tokens`, {
    method: 'POST',
    headers: { ...bearer(userToken), 'content-type': 'application/json' },
    body: '{}',
  });
  const text = await answer.text();
  if (answer.status !== 201) throw new Error(`POST /form-tokens answered ${answer.status}: ${text}`);
  return (JSON.parse(text) as { formToken: string }).formToken;
}
