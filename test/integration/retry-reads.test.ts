import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { deliveredSetup } from '../support/delivered-setup';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * A retried setup may find a default the earlier attempt set in Stripe without recording its checkpoint, so
 * it asks Stripe what holds now before writing again (a replayed Idempotency-Key would replay the first
 * answer for 24 h, https://docs.stripe.com/api/idempotent_requests). It asks once per default: the
 * customer's comes expanded on the SetupIntent (`expand[]=customer.invoice_settings.default_payment_method`,
 * SetupIntents.d.ts `customer: string | Customer`), and a subscription without an owner record has just been
 * read for the rollback check (GET /v1/subscriptions/:id, Subscriptions.d.ts `default_payment_method`);
 * neither changes within the attempt, and one customer's work is serialised by its FIFO message group.
 * Requests are counted in the stand-in's log.
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const count = (method: string, path: string) =>
  stack.stripeStandIn.countRequests(method, new RegExp(`^${path}$`));

async function firstAttemptFailsAtTheSubscription() {
  const setup = await deliveredSetup(stack);
  // The subscription update fails through the SDK's retries; the customer's goes through first.
  stack.stripeStandIn.faults.add({
    method: 'POST',
    path: new RegExp(`^/v1/subscriptions/${setup.subscriptionId}$`),
    status: 503,
    times: 3,
  });
  expect(await stack.pollOnce({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 1 });
  return setup;
}

async function retry(setup: { customerId: string; subscriptionId: string; setupIntentId: string }) {
  stack.stripeStandIn.clearRequests();
  expect(await stack.drainQueue({ retryDelaySeconds: 0 })).toEqual({ received: 1, failed: 0 });
  expect((await stack.records.get(setup.setupIntentId))?.status).toBe('applied');
  return {
    subscriptionReads: count('GET', `/v1/subscriptions/${setup.subscriptionId}`),
    customerReads: count('GET', `/v1/customers/${setup.customerId}`),
    customerUpdates: count('POST', `/v1/customers/${setup.customerId}`),
    subscriptionUpdates: count('POST', `/v1/subscriptions/${setup.subscriptionId}`),
  };
}

describe('a retried setup reads each default from Stripe at most once', () => {
  it('after a failed subscription update: one subscription read, no customer update', async () => {
    const setup = await firstAttemptFailsAtTheSubscription();
    expect(await retry(setup)).toEqual({
      subscriptionReads: 1,
      customerReads: 0,
      customerUpdates: 0,
      subscriptionUpdates: 1,
    });
  });

  it('after the customer checkpoint was lost too: the expanded customer default tells, no extra read', async () => {
    const setup = await firstAttemptFailsAtTheSubscription();
    // As if DynamoDB had failed the owner record's write past the SDK's retries.
    await stack.dynamodb.client.send(
      new DeleteItemCommand({
        TableName: stack.env.TABLE_NAME,
        Key: { pk: { S: `customer_default#${setup.customerId}` } },
      }),
    );
    expect(await retry(setup)).toEqual({
      subscriptionReads: 1,
      customerReads: 0,
      customerUpdates: 0,
      subscriptionUpdates: 1,
    });
  });
});
