import { createDynamoDbEventClaims } from '../../functions/shared/adapters/dynamodb-setup-records';
import { WEBHOOK_EVENT_TYPES } from '../../functions/shared/flow/recovery/recovery-message';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import {
  customerOnClock,
  deliver,
  drain,
  eventsSince,
  recoveryEvents,
  sendToQueue,
} from '../support/recovery';

/*
 * A recovery event's claim record says how it ended: `handled` with what was done when Stripe confirmed it
 * (events.retrieve, https://docs.stripe.com/api/events/retrieve), `failed` only when Stripe did not, so a
 * failure count, an alarm or an operator's query of failed records never counts the events the service
 * handled. A redelivery of a handled event (https://docs.stripe.com/webhooks#handle-duplicate-events) finds
 * the claim finished and does nothing.
 */
const running = useStackWithOutcomes();
const claims = () =>
  createDynamoDbEventClaims(running.stack.dynamodb.client, {
    tableName: running.stack.dynamodb.tableName,
    claimSeconds: 60,
    recordRetentionDays: 30,
    itemPrefix: 'stripe_event',
  });

describe('recovery events’ claim records', () => {
  it('a handled event is recorded handled with what was done, not failed; its redelivery does nothing', async () => {
    const seen = new Set(running.stack.stripeStandIn.store.events.keys());
    // A default set directly through Stripe's API: customer.updated, drift (https://docs.stripe.com/api/customers/update).
    const { customer } = await customerOnClock(running.stack.stripe, 'pm_card_visa');
    const updated = eventsSince(running, WEBHOOK_EVENT_TYPES as string[], seen).filter(
      (event) => event.type === 'customer.updated',
    );
    expect(updated).toHaveLength(1);
    await deliver(running, updated);
    await drain(running);

    const record = await claims().get(updated[0]?.id ?? '');
    expect(record).toMatchObject({ status: 'handled', reaction: 'drift_recorded', customerId: customer });
    expect(record).not.toHaveProperty('failureCode');

    await deliver(running, [...updated, ...updated]);
    await drain(running);
    expect(recoveryEvents(running, 'Default changed elsewhere')).toHaveLength(1);
    expect(await claims().get(updated[0]?.id ?? '')).toMatchObject({ status: 'handled' });
  });

  it('an event Stripe does not confirm is the one recorded failed (code unproven)', async () => {
    const forged = {
      kind: 'stripe_event',
      eventId: 'evt_neverSentByStripe000000',
      eventType: 'customer.deleted',
      customerId: 'cus_someone000000000000',
      objectId: 'cus_someone000000000000',
      created: 1,
      livemode: false,
    };
    await sendToQueue(running, forged);
    await drain(running);
    expect(await claims().get(forged.eventId)).toMatchObject({ status: 'failed', failureCode: 'unproven' });
  });
});
