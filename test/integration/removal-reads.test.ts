import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * A removal is refused while the method still pays something, so the session API and then the worker read the
 * customer's subscriptions and its invoice default. The subscriptions list expands each subscription's
 * customer (`expand[]=data.customer`, Subscriptions.d.ts `customer: string | Customer`), whose
 * `invoice_settings.default_payment_method` is the customer's default: a separate GET /v1/customers/:id
 * is needed only for a customer without subscriptions. Stripe's rate limit is per account
 * (https://docs.stripe.com/rate-limits). Requests are counted in the stand-in's log.
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { remove, changeStatus, customerWithTwoCards } = savedMethodRequests(() => stack);

describe('removing a saved method reads the customer only through its subscriptions', () => {
  it('a customer with a subscription: no separate customer read, in the API or the worker', async () => {
    const { customerId, first } = await customerWithTwoCards();
    stack.stripeStandIn.clearRequests();
    const accepted = await remove(customerId, first);
    expect(accepted.status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect(await changeStatus(customerId, accepted.json.statusUrl)).toMatchObject({ status: 'applied' });
    expect(stack.stripeStandIn.countRequests('GET', new RegExp(`^/v1/customers/${customerId}$`))).toBe(0);
    expect(
      stack.stripeStandIn.countRequests('POST', new RegExp(`^/v1/payment_methods/${first}/detach$`)),
    ).toBe(1);
  });

  it('a customer without subscriptions: its default is read on its own, and a default is still refused', async () => {
    const customer = await stack.stripe.customers.create({});
    const { savedCard } = savedMethodRequests(() => stack);
    const card = await savedCard(customer.id);
    stack.stripeStandIn.clearRequests();
    const refused = await remove(customer.id, card);
    expect(refused.status).toBe(409);
    expect(stack.stripeStandIn.countRequests('GET', new RegExp(`^/v1/customers/${customer.id}$`))).toBe(1);
  });
});
