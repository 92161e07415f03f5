import { completeSession } from './checkout';
import { customerWithSubscription } from './fixtures';
import { postJson } from './http';
import { nextSecond } from './saved-methods';
import type { ServiceStack } from './service-stack';
import { deliverSignedEvent } from './webhooks';

/**
 * A session created through the API for the customer and subscription (new ones unless given), completed with
 * a working card, and its checkout.session.completed delivered to the webhook: one message in the queue. A
 * setup for a given owner starts in a second of its own, so it is newer than that owner's earlier setups.
 */
export async function deliveredSetup(
  stack: ServiceStack,
  owner?: { customerId: string; subscriptionId: string },
) {
  // Stripe's timestamps are whole seconds, and setups are ordered by the second their card was saved: a
  // later setup of the same customer must come from a later second to be the newer one.
  if (owner) await nextSecond();
  const { customerId, subscriptionId } = owner ?? (await newCustomer(stack));
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customerId,
    subscription: subscriptionId,
  });
  const completion = await completeSession(stack.stripeStandIn, created.json.id);
  await deliverSignedEvent(stack.webhookUrl, completion.event, stack.stripeStandIn.webhookSecret);
  return {
    customerId,
    subscriptionId,
    sessionId: created.json.id as string,
    setupIntentId: completion.setupIntent.id,
    paymentMethodId: completion.paymentMethod.id,
  };
}

async function newCustomer(stack: ServiceStack) {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  return { customerId: customer.id, subscriptionId: subscription.id };
}
