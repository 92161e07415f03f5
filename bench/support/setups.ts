import type { StoredEvent } from '../../dev/stripe-stand-in';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { customerlessSetupSession } from '../../test/support/checkout';
import { mapLimit } from './concurrency';
import { createSessionEvent, signedWebhookEvent } from './http-events';
import type { BenchStandIns } from './stand-ins';

export interface CompletedSetup {
  customerId: string;
  subscriptionId: string;
  sessionId: string;
  /** The signed `checkout.session.completed` Stripe would deliver. */
  event: StoredEvent;
}

/**
 * Customers with a subscription who finished a setup-mode Checkout, each session created through the real
 * session API handler (so it carries whatever metadata the service writes) and completed on the stand-in.
 * `withoutCustomer` leaves the SetupIntent unattached: the worker's attach path.
 */
export async function completedSetups(
  standIns: BenchStandIns,
  count: number,
  options: { withoutCustomer?: boolean } = {},
): Promise<CompletedSetup[]> {
  const checkoutApi = wireCheckoutApi(standIns.functionEnv);
  const { stripe, stripeStandIn } = standIns;
  return mapLimit(count, 8, async (index) => {
    const customer = await stripe.customers.create({ email: `bench-${index}@example.com` });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
    });
    const sessionId = options.withoutCustomer
      ? (
          await customerlessSetupSession(
            stripe,
            standIns.functionEnv.SETUP_PROOF_SECRET as string,
            customer.id,
            subscription.id,
          )
        ).id
      : await sessionFromApi(checkoutApi, customer.id, subscription.id);
    // The default test card: never declined.
    const completion = await stripeStandIn.completeCheckoutSession(sessionId);
    return { customerId: customer.id, subscriptionId: subscription.id, sessionId, event: completion.event };
  });
}

async function sessionFromApi(
  checkoutApi: ReturnType<typeof wireCheckoutApi>,
  customerId: string,
  subscriptionId: string,
): Promise<string> {
  const created = await checkoutApi(createSessionEvent(customerId, subscriptionId));
  if (created.statusCode !== 201)
    throw new Error(`session API answered ${created.statusCode}: ${created.body}`);
  return (JSON.parse(created.body ?? '{}') as { id: string }).id;
}

/** Delivers each setup's event to the real webhook handler, which queues it on `queueUrl`. */
export async function deliverThroughWebhook(
  standIns: BenchStandIns,
  setups: readonly CompletedSetup[],
  queueUrl: string,
): Promise<void> {
  const webhook = wireStripeWebhook({ ...standIns.functionEnv, QUEUE_URL: queueUrl });
  await mapLimit(setups.length, 8, async (index) => {
    const setup = setups[index] as CompletedSetup;
    const reply = await webhook(signedWebhookEvent(setup.event, standIns.stripeStandIn.webhookSecret));
    if (reply.statusCode !== 200 || !String(reply.body).includes('"enqueued":true')) {
      throw new Error(`the webhook did not queue ${setup.sessionId}: ${reply.statusCode} ${reply.body}`);
    }
  });
}
