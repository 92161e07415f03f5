import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { SecretReader } from '../secrets';
import { isStripeCustomerId } from './customer-claim';
import { CLOCK_TOLERANCE_SECONDS } from './jwt-verifier';

/**
 * The HTML form route's credential. A plain form cannot send an Authorization header, so whatever it carries
 * sits in the page; were it the identity provider's token, any page embedding the form would hold a bearer
 * token for every route. Instead a JWT-authorized route mints this: a JWT (RFC 7519) signed HS256 with a key
 * derived from the setup-proof secret under its own label, whose audience only the form route accepts, for
 * one customer, for a few minutes. API Gateway's JWT authorizer refuses it on every other route (it is not
 * signed by the identity provider's RSA keys), and the form route refuses the identity provider's tokens.
 */
export const FORM_TOKEN_AUDIENCE = 'stripe-setup-mode-service/create-checkout-session';
const ISSUER = 'stripe-setup-mode-service';
const KEY_LABEL = 'stripe-setup-mode-service/form-token/v1';

/** Long enough to read a page and press its button; a page left open longer asks for a new one. */
export const FORM_TOKEN_SECONDS = 15 * 60;

export type FormTokenCheck =
  | { valid: true; customerId: string }
  | { valid: false; problem: 'malformed' | 'invalid' | 'expired' };

export interface FormTokens {
  mint(customerId: string, nowSeconds: number): Promise<{ formToken: string; expiresAt: number }>;
  verify(token: string, nowSeconds: number): Promise<FormTokenCheck>;
}

/** A key of its own per secret, so a form token can never be mistaken for a setup proof or a link's MAC. */
const keyFrom = (secret: string) => createHmac('sha256', secret).update(KEY_LABEL).digest();

export function createFormTokens(secrets: SecretReader<string[]>): FormTokens {
  return {
    async mint(customerId, nowSeconds) {
      const [current] = await secrets();
      if (!current) throw new Error('no setup proof secret');
      const expiresAt = Math.floor(nowSeconds) + FORM_TOKEN_SECONDS;
      const formToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(FORM_TOKEN_AUDIENCE)
        .setSubject(customerId)
        .setIssuedAt(Math.floor(nowSeconds))
        .setExpirationTime(expiresAt)
        .sign(keyFrom(current));
      return { formToken, expiresAt };
    },
    async verify(token, nowSeconds) {
      if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { valid: false, problem: 'malformed' };
      let expired = false;
      // Every secret verifies, so a page rendered just before a rotation still submits.
      for (const secret of await secrets()) {
        try {
          const { payload } = await jwtVerify(token, keyFrom(secret), {
            algorithms: ['HS256'],
            issuer: ISSUER,
            audience: FORM_TOKEN_AUDIENCE,
            requiredClaims: ['sub', 'exp', 'iat'],
            currentDate: new Date(nowSeconds * 1000),
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            maxTokenAge: FORM_TOKEN_SECONDS,
          });
          if (!isStripeCustomerId(payload.sub)) return { valid: false, problem: 'invalid' };
          return { valid: true, customerId: payload.sub };
        } catch (error) {
          if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') expired = true;
        }
      }
      return { valid: false, problem: expired ? 'expired' : 'invalid' };
    },
  };
}
