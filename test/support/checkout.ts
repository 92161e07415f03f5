import type { CompleteSessionOptions, StripeStandIn } from '../../dev/stripe-stand-in';
import type { CompletedSession } from '../../dev/stripe-stand-in/checkout-completion';

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
