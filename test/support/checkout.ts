import type Stripe from 'stripe';
import type { CompleteSessionOptions, StripeStandIn } from '../../dev/stripe-stand-in';
import type { CompletedSession } from '../../dev/stripe-stand-in/checkout-completion';
import { setupMetadata } from '../../functions/shared/setup-metadata';
import { createSetupProof } from '../../functions/shared/setup-proof';

/** Completes a session as a customer with a working card would; a decline here is a broken test. */
export async function completeSession(
  standIn: StripeStandIn,
  sessionId: string,
  options: CompleteSessionOptions = {},
): Promise<CompletedSession> {
  const result = await standIn.completeCheckoutSession(sessionId, options);
  if (result.declined) throw new Error(`test card was declined: ${result.message}`);
  return result;
}

/**
 * A setup-mode session carrying this service's metadata but no `customer` (as a SaaS might create one):
 * Stripe then leaves the SetupIntent and the saved PaymentMethod without a customer, and the worker takes the
 * guide's explicit attach path — only with the setup proof, made here with the service's `proofSecret`
 * (SETUP_PROOF_SECRET), since without it metadata alone never names the customer to attach to.
 */
export async function customerlessSetupSession(
  stripe: Stripe,
  proofSecret: string,
  customerId: string,
  subscriptionId?: string,
) {
  const proof = await createSetupProof(async () => [proofSecret]).sign(customerId, subscriptionId);
  const metadata = setupMetadata(customerId, subscriptionId, proof);
  return stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    success_url: 'https://app.example.com/billing/updated?session_id={CHECKOUT_SESSION_ID}',
    metadata,
    setup_intent_data: { metadata },
  });
}
