import type { SessionApiParams, SessionApiResult } from '../load/session-api';
import type { BenchSettings } from '../settings';
import type { Bundles } from '../support/bundles';
import { runLoadDriver } from '../support/child';
import { mapLimit } from '../support/concurrency';
import type { Runtime } from '../support/runtimes';
import type { BenchStandIns } from '../support/stand-ins';

/** The session API's own load, in its own process on `runtime`: a session for each customer, then status reads. */
export async function runSessionApiLoad(
  standIns: BenchStandIns,
  bundles: Bundles,
  settings: BenchSettings,
  runtime: Runtime,
): Promise<SessionApiResult & { maxRssBytes: number }> {
  const { stripe } = standIns;
  // One session per customer: the session API caps how many a customer may create per minute.
  const customers = await mapLimit(Math.ceil(settings.sessionApiRequests / 2), 8, async (index) => {
    const customer = await stripe.customers.create({ email: `bench-api-${index}@example.com` });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
    });
    return { customerId: customer.id, subscriptionId: subscription.id };
  });
  const queueUrl = await standIns.createQueue(`bench-session-api-${runtime.label.replace(/\W/g, '')}`);
  const params: SessionApiParams = { customers, requests: settings.sessionApiRequests, concurrency: 4 };
  return runLoadDriver<SessionApiResult>(
    'session-api',
    bundles['checkout-api'].deployed,
    { ...standIns.functionEnv, QUEUE_URL: queueUrl, LOG_LEVEL: 'info' },
    params,
    runtime.execPath,
  );
}
