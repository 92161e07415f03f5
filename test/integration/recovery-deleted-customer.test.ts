import { WEBHOOK_EVENT_TYPES } from '../../functions/shared/flow/recovery/recovery-message';
import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { postJson, send } from '../support/http';
import { deliver, drain, eventsSince } from '../support/recovery';
import { savedMethodRequests } from '../support/saved-methods';

/*
 * A deleted customer ends its pending work. Oracles: https://docs.stripe.com/api/customers/delete ("Permanently
 * deletes a customer. It cannot be undone. Also immediately cancels any active subscriptions"), and a deleted
 * customer answers `deleted: true` (DeletedCustomer in Customers.d.ts), so nothing is left to make a default
 * on; https://docs.stripe.com/webhooks#event-ordering: the setup's own event may arrive after
 * `customer.deleted`. A setup or change that was still waiting is recorded superseded without a Stripe write,
 * and the customer's update links answer 410.
 */
const running = useStackWithOutcomes();
const requests = savedMethodRequests(() => running.stack);

describe('customer.deleted ends the customer’s pending work', () => {
  it('a completed setup and a queued change waiting for a deleted customer are superseded, never applied; its link answers 410', async () => {
    const { stack } = running;
    const seen = new Set(stack.stripeStandIn.store.events.keys());
    const { customerId, first } = await requests.customerWithTwoCards();
    await requests.nextSecond();
    // Queued before the deletion, worked off after it.
    const change = await requests.makeDefault(customerId, first);
    expect(change.status).toBe(202);
    const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customerId });
    const completed = await completeSession(stack.stripeStandIn, created.json.id);
    const link = await postJson(`${stack.api.url}/update-links`, { customer: customerId });
    expect(link.status).toBe(201);

    await stack.stripe.customers.del(customerId);
    const deleted = eventsSince(running, WEBHOOK_EVENT_TYPES as string[], seen).filter(
      (event) => event.type === 'customer.deleted',
    );
    expect(deleted).toHaveLength(1);
    await deliver(running, deleted);
    await drain(running);
    stack.stripeStandIn.clearRequests();

    // The setup's event arrives late (and twice); the change is in the queue already.
    await deliver(running, [completed.event, completed.event]);
    await drain(running);

    expect(await stack.records.get(completed.setupIntent.id)).toMatchObject({
      status: 'superseded',
      customerDefault: 'superseded',
    });
    expect(await requests.changeStatus(customerId, change.json.statusUrl)).toMatchObject({
      status: 'superseded',
    });
    // Nothing was written to Stripe for the deleted customer after its deletion.
    const writes = stack.stripeStandIn.requests.filter(
      (request) => request.method === 'POST' && request.path !== '/v1/events',
    );
    expect(writes).toEqual([]);
    expect((await send(link.json.url)).status).toBe(410);
  });
});
