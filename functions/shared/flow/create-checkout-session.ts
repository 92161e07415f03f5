import type { CheckoutConfig } from '../config';
import { ServiceError, StripeRequestFailed } from '../errors';
import type { StripeGateway } from '../ports';

export interface CheckoutSessionRequest {
  customerId: string;
  subscriptionId?: string;
  successUrl?: string;
  cancelUrl?: string;
  currency?: string;
}

export interface CreateCheckoutSessionDeps {
  stripe: StripeGateway;
  checkout: CheckoutConfig;
}

/** Stripe replaces this template variable with the session id when it redirects the customer back. */
export const SESSION_ID_TEMPLATE = '{CHECKOUT_SESSION_ID}';

/**
 * Creates a setup-mode Checkout Session for the calling customer, optionally to update one of their
 * subscriptions. The subscription is checked first: nobody may point another customer's subscription
 * at their card.
 */
export async function createCheckoutSession(
  deps: CreateCheckoutSessionDeps,
  request: CheckoutSessionRequest,
): Promise<{ id: string; url: string }> {
  if (request.subscriptionId) {
    await assertSubscriptionBelongsTo(deps.stripe, request.subscriptionId, request.customerId);
  }
  return deps.stripe.createSetupSession({
    customerId: request.customerId,
    subscriptionId: request.subscriptionId,
    successUrl: withSessionIdParameter(request.successUrl ?? deps.checkout.successUrl),
    cancelUrl: request.cancelUrl ?? deps.checkout.cancelUrl,
    currency: request.currency ?? deps.checkout.currency,
  });
}

async function assertSubscriptionBelongsTo(
  stripe: StripeGateway,
  subscriptionId: string,
  customerId: string,
) {
  const subscription = await stripe.retrieveSubscription(subscriptionId).catch((error: unknown) => {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found') {
      throw new ServiceError(404, 'subscription_not_found', `Subscription ${subscriptionId} does not exist.`);
    }
    throw error;
  });
  if (subscription.customerId !== customerId) {
    throw new ServiceError(
      403,
      'subscription_not_owned',
      `Subscription ${subscriptionId} does not belong to the caller.`,
    );
  }
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw new ServiceError(
      409,
      'subscription_inactive',
      `Subscription ${subscriptionId} is ${subscription.status}.`,
    );
  }
}

/**
 * Appends `session_id={CHECKOUT_SESSION_ID}` (unless the URL already carries the template) so the success
 * page can look the session up. Built as text: URL serialisation would percent-encode the braces, and
 * Stripe only substitutes the literal template.
 */
export function withSessionIdParameter(successUrl: string): string {
  if (successUrl.includes(SESSION_ID_TEMPLATE)) return successUrl;
  const hashAt = successUrl.indexOf('#');
  const base = hashAt === -1 ? successUrl : successUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : successUrl.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}session_id=${SESSION_ID_TEMPLATE}${fragment}`;
}
