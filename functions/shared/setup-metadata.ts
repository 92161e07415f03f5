/**
 * Metadata this service writes on every session and SetupIntent it creates. The guide passes the
 * subscription through `setup_intent_data.metadata`; the marker lets the webhook recognise the SetupIntents
 * that came from our sessions when their delayed `setup_intent.*` events arrive.
 */
export const CUSTOMER_KEY = 'customer_id';
export const SUBSCRIPTION_KEY = 'subscription_id';
export const SOURCE_KEY = 'created_by';
export const SOURCE_VALUE = 'stripe-setup-mode-service';
/** The HMAC that proves this service chose the customer and subscription (see setup-proof.ts). */
export const PROOF_KEY = 'setup_proof';
/** The update link a session was opened from: its setup, once applied, uses the link up and pays its invoice. */
export const UPDATE_LINK_KEY = 'update_link';

export function setupMetadata(
  customerId: string,
  subscriptionId: string | undefined,
  proof: string,
  updateLinkId?: string,
): Record<string, string> {
  return {
    [CUSTOMER_KEY]: customerId,
    ...(subscriptionId ? { [SUBSCRIPTION_KEY]: subscriptionId } : {}),
    [SOURCE_KEY]: SOURCE_VALUE,
    [PROOF_KEY]: proof,
    ...(updateLinkId ? { [UPDATE_LINK_KEY]: updateLinkId } : {}),
  };
}

export function isOurSetup(metadata: Record<string, string> | null | undefined): boolean {
  return metadata?.[SOURCE_KEY] === SOURCE_VALUE;
}
