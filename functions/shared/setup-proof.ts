import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './config';
import type { SecretReader } from './secrets';
import { CUSTOMER_KEY, isOurSetup, PROOF_KEY, SUBSCRIPTION_KEY, UPDATE_LINK_KEY } from './setup-metadata';

/**
 * Proof that this service created a setup for exactly this customer and subscription. The `created_by`
 * marker is a public constant and metadata is whatever the session's creator wrote: any other code on the
 * Stripe account that copies client-supplied metadata onto a SetupIntent could name a victim's customer or
 * subscription. So the session API writes an HMAC-SHA256 of the ids under a service secret into the
 * metadata, and the worker (and the status path, before it enqueues) recomputes it: metadata without a
 * valid proof never names a customer or subscription. The check costs no Stripe call and a few
 * microseconds (`npm run bench`, figure "ownership proof").
 */
export interface SetupProof {
  /** The value written under `setup_proof`, signed with the first (current) secret. */
  sign(customerId: string, subscriptionId?: string, updateLinkId?: string): Promise<string>;
  /**
   * True if the metadata's proof was made by any current secret for exactly its customer, subscription and
   * update link (none when the metadata names none).
   */
  verifies(metadata: Record<string, string>): Promise<boolean>;
}

const VERSION = 'v1';

/**
 * The update link is signed too: a setup through a link pays the invoice the link was minted for, so a link
 * id written into metadata by anybody but the session API must not steer that payment. Its reason and invoice
 * live on the link's own record, which only the service writes. Without a link the signed text is what it
 * always was, so setups signed before links existed still prove themselves.
 */
function mac(
  secret: string,
  customerId: string,
  subscriptionId: string | undefined,
  updateLinkId: string | undefined,
): Buffer {
  const link = updateLinkId ? `\nupdate_link:${updateLinkId}` : '';
  return createHmac('sha256', secret)
    .update(`stripe-setup-mode-service/setup-proof/${VERSION}\n${customerId}\n${subscriptionId ?? ''}${link}`)
    .digest();
}

export function createSetupProof(secrets: SecretReader<string[]>): SetupProof {
  return {
    async sign(customerId, subscriptionId, updateLinkId) {
      const [current] = await secrets();
      if (!current) throw new Error('no setup proof secret');
      return `${VERSION}.${mac(current, customerId, subscriptionId, updateLinkId).toString('base64url')}`;
    },
    async verifies(metadata) {
      const customerId = metadata[CUSTOMER_KEY];
      const proof = metadata[PROOF_KEY];
      if (!customerId || !proof?.startsWith(`${VERSION}.`)) return false;
      const given = Buffer.from(proof.slice(VERSION.length + 1), 'base64url');
      const subscriptionId = metadata[SUBSCRIPTION_KEY];
      const updateLinkId = metadata[UPDATE_LINK_KEY];
      // Every secret, so a setup signed just before a rotation still proves itself (as webhook secrets do).
      return (await secrets()).some((secret) => {
        const expected = mac(secret, customerId, subscriptionId, updateLinkId);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}

/**
 * Whether a setup may be acted on, from what Stripe holds: our marker, and — whenever the metadata is what
 * names the customer (Stripe's own `customer` field is empty), names a subscription or names an update link —
 * a valid proof. A setup whose customer Stripe itself holds and that names neither takes nothing from metadata.
 */
export async function isProvenSetup(
  proof: SetupProof,
  stripeCustomerId: string | null,
  metadata: Record<string, string>,
): Promise<boolean> {
  if (!isOurSetup(metadata)) return false;
  if (stripeCustomerId && !metadata[SUBSCRIPTION_KEY] && !metadata[UPDATE_LINK_KEY]) return true;
  return proof.verifies(metadata);
}

/** A comma-separated list during rotation (the first signs, all verify); each long enough not to be guessed. */
export function parseSetupProofSecrets(raw: string, source: string): string[] {
  const secrets = raw
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0 || secrets.some((secret) => !/^[\x21-\x7e]{32,}$/.test(secret))) {
    throw new ConfigError(source, 'must be a comma-separated list of secrets of at least 32 characters');
  }
  return secrets;
}
