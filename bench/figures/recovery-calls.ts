import type { StoredEvent } from '../../dev/stripe-stand-in/types';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { signedWebhookEvent } from '../../test/support/webhooks';
import type { BenchSettings } from '../settings';
import { countPurposes, writesIn } from '../support/dynamodb-purposes';
import type { Row, Section } from '../support/report';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { processNextMessage, wireBenchWorker } from '../support/worker-runs';

interface Counted {
  stripe: number;
  writes: number;
  reads: number;
}

/**
 * What a recovery event costs the worker, counted on the stand-ins: the service's own echo (the
 * `customer.updated` every default it sets comes back as) must cost no Stripe call and no write, only the
 * owner-record read that recognises it; a default changed elsewhere costs the proof (`events.retrieve`)
 * and one fresh read of the default, then the claim, the owner record's write and the outcome; its owner
 * record is read twice (the echo check, then beside the fresh default).
 */
export async function measureRecoveryCalls(
  standIns: BenchStandIns,
  settings: BenchSettings,
): Promise<Section> {
  const worker = wireBenchWorker(standIns, settings);
  const webhook = wireStripeWebhook({ ...standIns.functionEnv, QUEUE_URL: standIns.sqs.queueUrl });
  const count = Math.max(3, Math.min(settings.eventsPerScenario, 20));
  const viaWorker = async (event: StoredEvent): Promise<Counted> => {
    const reply = await webhook(signedWebhookEvent(event, standIns.stripeStandIn.webhookSecret));
    if (!reply.body?.includes('"enqueued":true')) throw new Error(`not queued: ${reply.body}`);
    standIns.stripeStandIn.clearRequests();
    standIns.dynamodbCalls.clear();
    await processNextMessage(standIns, worker);
    const purposes = countPurposes(standIns.dynamodbCalls.calls);
    return {
      stripe: standIns.stripeStandIn.requests.length,
      writes: writesIn(purposes),
      reads: purposes.read,
    };
  };
  const customerUpdated = (customerId: string) =>
    [...standIns.stripeStandIn.store.events.values()].filter(
      (event) =>
        event.type === 'customer.updated' && (event.data.object as { id?: string }).id === customerId,
    );

  // Echoes: setups applied by the worker, then the customer.updated each produced.
  const setups = await completedSetups(standIns, count);
  const echoes: Counted[] = [];
  for (const setup of setups) {
    await deliverThroughWebhook(standIns, [setup], standIns.sqs.queueUrl);
    await processNextMessage(standIns, worker);
    const [echo] = customerUpdated(setup.customerId).slice(-1);
    if (!echo) throw new Error('the stand-in recorded no customer.updated for the setup');
    echoes.push(await viaWorker(echo));
  }
  // Drift: a default set directly through Stripe's API, as the Dashboard or another integration does.
  const drifts: Counted[] = [];
  for (let index = 0; index < count; index++) {
    const customer = await standIns.stripe.customers.create({ email: `drift-${index}@example.com` });
    const card = await standIns.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await standIns.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    const [drift] = customerUpdated(customer.id).slice(-1);
    if (!drift) throw new Error('the stand-in recorded no customer.updated for the drift');
    drifts.push(await viaWorker(drift));
  }
  return {
    title: `12. Recovery events: calls per event (${count} per scenario, counted on the stand-ins)`,
    rows: [
      ...rows('echo of a default the service set (dropped)', echoes, { stripe: 0, writes: 0, reads: 1 }),
      ...rows('default changed elsewhere (drift)', drifts, { stripe: 2, writes: 3, reads: 2 }),
    ],
    notes: [
      'Recovery events: an echo is recognised on the owner record alone (docs/recovery.md); a drift is proven by events.retrieve and read fresh (GET /v1/customers/…) before the owner record follows it.',
    ],
  };
}

function rows(name: string, events: Counted[], target: Counted): Row[] {
  const spread = (of: (event: Counted) => number) => {
    const values = events.map(of);
    const [least, most] = [Math.min(...values), Math.max(...values)];
    return least === most ? `${most}` : `${least}–${most}`;
  };
  return [
    {
      figure: `Stripe requests: ${name}`,
      value: spread((event) => event.stripe),
      target: `${target.stripe}`,
      pass: events.every((event) => event.stripe === target.stripe),
      data: { perEvent: events.map((event) => event.stripe) },
    },
    {
      figure: `DynamoDB requests: ${name}`,
      value: `${spread((event) => event.writes)} writes, ${spread((event) => event.reads)} reads`,
      target: `≤ ${target.writes} writes, ≤ ${target.reads} read${target.reads === 1 ? '' : 's'}`,
      pass: events.every((event) => event.writes <= target.writes && event.reads <= target.reads),
      data: { perEvent: events },
    },
  ];
}
