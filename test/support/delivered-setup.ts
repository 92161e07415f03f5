import { completeSession } from './checkout';
import { customerWithSubscription } from './fixtures';
import { postJson } from './http';
import type { ServiceStack } from './service-stack';
import { deliverSignedEvent } from './webhooks';

/**
 * A session created through the API for the customer and subscription (new ones unless given), completed with
 * a working card, and its checkout.session.completed delivered to the webhook: one message in the queue.
 */
export async function deliveredSetup(
  stack: ServiceStack,
  owner?: { customerId: string; subscriptionId: string },
) {
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
    setupIntentId: completion.setupIntent.id,
    paymentMethodId: completion.paymentMethod.id,
  };
}

async function newCustomer(stack: ServiceStack) {
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  return { customerId: customer.id, subscriptionId: subscription.id };
}
