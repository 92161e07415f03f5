import { completeSession } from '../support/checkout';
import { useStackWithOutcomes } from '../support/eventbridge-stand-in';
import { postJson, send } from '../support/http';
import { deliver, drain } from '../support/recovery';

/*
 * The update link a setup names is part of what the setup proof signs. Oracles: SetupIntent metadata is
 * whatever any code on the account writes (https://docs.stripe.com/api/setup_intents/update#update_setup_intent-metadata,
 * "you can unset individual keys" — any integration may set them), so a link id in it proves nothing by
 * itself; https://docs.stripe.com/api/invoices/pay: a link's setup pays the invoice the link was made for.
 */
const running = useStackWithOutcomes();

describe('a setup whose metadata names an update link the session API did not sign', () => {
  it('is not acted on: the link stays open and pays nothing', async () => {
    const { stack } = running;
    const customer = (await stack.stripe.customers.create({ email: 'forged@example.com' })).id;
    const link = await postJson(`${stack.api.url}/update-links`, { customer });
    expect(link.status).toBe(201);
    const linkId = String(link.json.id);

    // A setup of the same customer through the API (no link), whose metadata another integration then edits.
    const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer });
    const completed = await completeSession(stack.stripeStandIn, created.json.id);
    const stored = stack.stripeStandIn.store.setupIntents.get(completed.setupIntent.id);
    if (!stored) throw new Error('no SetupIntent');
    stored.metadata = { ...stored.metadata, update_link: linkId };
    stack.stripeStandIn.clearRequests();

    await deliver(running, [completed.event]);
    await drain(running);

    expect(await stack.records.get(completed.setupIntent.id)).toMatchObject({
      status: 'failed',
      failureCode: 'setup_unproven',
    });
    expect(stack.stripeStandIn.requests.filter((request) => request.method === 'POST')).toEqual([]);
    // Still open: it answers 303 to Checkout, not 410.
    expect((await send(link.json.url)).status).toBe(303);
  });
});
