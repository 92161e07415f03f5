import { captureLogLines } from '../support/log-capture';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * A customer must not be able to turn the operators' alarm on at will. Oracles: PaymentMethods.d.ts `detach`
 * (a detached method "can no longer be used for payments", so a switch to it fails), Customers.d.ts
 * `update` (`invoice_settings.default_payment_method` must be a method attached to the customer).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { makeDefault, remove, changeStatus, customerWithTwoCards, nextSecond } = savedMethodRequests(
  () => stack,
);

/** Drains the queue with metrics on, returning the metric names the worker counted. */
async function drainCounting(): Promise<string[]> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const lines = await captureLogLines(() => stack.drainQueue({ retryDelaySeconds: 0 }));
    return lines
      .filter((line) => '_aws' in line)
      .flatMap((line) => Object.keys(line).filter((key) => typeof line[key] === 'number'));
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  }
}

describe('a customer’s own conflicting changes are refused, never a permanent failure', () => {
  it('switching to a method and removing it at once: the removal is 409 naming the pending switch', async () => {
    const { customerId, first } = await customerWithTwoCards();
    await nextSecond();
    const switched = await makeDefault(customerId, first);
    expect(switched.status).toBe(202);
    const removal = await remove(customerId, first);
    expect(removal.status).toBe(409);
    expect(removal.json.error.code).toBe('change_pending');
    expect(removal.json.error.message).toContain(switched.json.id);
    expect(await drainCounting()).not.toContain('PermanentFailures');
    expect(await changeStatus(customerId, switched.json.statusUrl)).toMatchObject({ status: 'applied' });
  });

  it('removing a method and switching to it at once: the switch is 409 naming the pending removal', async () => {
    const { customerId, first } = await customerWithTwoCards();
    const removal = await remove(customerId, first);
    expect(removal.status).toBe(202);
    const switched = await makeDefault(customerId, first);
    expect(switched.status).toBe(409);
    expect(switched.json.error.message).toContain(removal.json.id);
    expect(await drainCounting()).not.toContain('PermanentFailures');
  });

  it('once the earlier change is applied, the next one about the same method is accepted', async () => {
    const { customerId, first, second } = await customerWithTwoCards();
    await nextSecond();
    expect((await makeDefault(customerId, first)).status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    await nextSecond();
    expect((await makeDefault(customerId, second)).status).toBe(202);
    await stack.drainQueue({ retryDelaySeconds: 0 });
  });

  it('a change that fails on Stripe’s refusal says why in the service’s words, not Stripe’s', async () => {
    const { customerId, first } = await customerWithTwoCards();
    await nextSecond();
    const switched = await makeDefault(customerId, first);
    await stack.stripe.paymentMethods.detach(first);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    const status = await changeStatus(customerId, switched.json.statusUrl);
    expect(status).toMatchObject({ status: 'failed', failureCode: 'resource_missing' });
    // The stand-in answers Stripe's own text ("No such PaymentMethod: 'pm_…'"); none of it reaches the caller.
    expect(status.failureMessage).not.toMatch(/No such|pm_/);
  });
});
