import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretReader } from './secrets';

/**
 * The token in an update link (`/u/<token>`): `<link id>.<expiry, unix seconds>.<HMAC-SHA256>`, signed with
 * the setup-proof secret under its own label, so a link cannot be forged, retargeted or extended. Checking
 * it needs no table read and no Stripe call, so a made-up or expired link costs the account nothing. The
 * link's customer, subscription and reason live in the link's record, never in the URL.
 */
const LABEL = 'stripe-setup-mode-service/update-link/v1';
const LINK_ID = /^ul_[A-Za-z0-9_-]{16,64}$/;

export type TokenCheck =
  | { valid: true; linkId: string; expiresAt: number }
  | { valid: false; problem: 'malformed' | 'forged' | 'expired'; linkId?: string };

export interface UpdateLinkTokens {
  sign(linkId: string, expiresAt: number): Promise<string>;
  verify(token: string, nowSeconds: number): Promise<TokenCheck>;
}

function mac(secret: string, linkId: string, expiresAt: number): Buffer {
  return createHmac('sha256', secret).update(`${LABEL}\n${linkId}\n${expiresAt}`).digest();
}

/** A random link id; `seed` derives it instead (a retried worker mints the same link for the same event). */
export function newLinkId(seed?: string): string {
  const bytes = seed ? createHmac('sha256', LABEL).update(seed).digest().subarray(0, 18) : randomBytes(18);
  return `ul_${bytes.toString('base64url')}`;
}

export function isLinkId(value: string): boolean {
  return LINK_ID.test(value);
}

export function createUpdateLinkTokens(secrets: SecretReader<string[]>): UpdateLinkTokens {
  return {
    async sign(linkId, expiresAt) {
      const [current] = await secrets();
      if (!current) throw new Error('no setup proof secret');
      return `${linkId}.${expiresAt}.${mac(current, linkId, expiresAt).toString('base64url')}`;
    },
    async verify(token, nowSeconds) {
      const match = /^(ul_[A-Za-z0-9_-]{16,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { valid: false, problem: 'malformed' };
      const [, linkId = '', expiry = '', given = ''] = match;
      const expiresAt = Number(expiry);
      const signature = Buffer.from(given, 'base64url');
      // Every secret verifies, so links minted just before a rotation keep working until they expire.
      const genuine = (await secrets()).some((secret) => {
        const expected = mac(secret, linkId, expiresAt);
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      });
      if (!genuine) return { valid: false, problem: 'forged' };
      if (expiresAt <= nowSeconds) return { valid: false, problem: 'expired', linkId };
      return { valid: true, linkId, expiresAt };
    },
  };
}
