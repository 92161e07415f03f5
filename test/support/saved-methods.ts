import { completeSession } from './checkout';
import { customerWithSubscription } from './fixtures';
import { postJson, send } from './http';
import type { ServiceStack } from './service-stack';
import { deliverSignedEvent, setupMessageBody } from './webhooks';

/** Setups are ordered by the second their card was saved; each step that needs its own second waits for it. */
export async function nextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === second) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The saved-method routes and the setups around them, over real HTTP to a test's service stack. */
export function savedMethodRequests(stackOf: () => ServiceStack) {
  const api = (path: string) => `${stackOf().api.url}${path}`;

  async function createSession(customerId: string, subscriptionId?: string): Promise<string> {
    await nextSecond();
    const created = await postJson(api('/checkout-sessions'), {
      customer: customerId,
      ...(subscriptionId ? { subscription: subscriptionId } : {}),
    });
    expect(created.status).toBe(201);
    return created.json.id;
  }

  async function savedCard(customerId: string, subscriptionId?: string, card?: string): Promise<string> {
    const stack = stackOf();
    const sessionId = await createSession(customerId, subscriptionId);
    const completed = await completeSession(stack.stripeStandIn, sessionId, card ? { card } : {});
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    return completed.paymentMethod.id;
  }

  return {
    api,
    nextSecond,
    createSession,
    savedCard,
    setupBody: (completed: Awaited<ReturnType<typeof completeSession>>) => setupMessageBody(completed),
    makeDefault: (customer: string, pm: string, body: Record<string, unknown> = {}) =>
      postJson(api(`/payment-methods/${pm}/default`), { customer, ...body }),
    remove: (customer: string, pm: string, replaceWith?: string) =>
      send(
        api(`/payment-methods/${pm}?customer=${customer}${replaceWith ? `&replaceWith=${replaceWith}` : ''}`),
        { method: 'DELETE' },
      ),
    changeStatus: async (customer: string, statusUrl: string) =>
      (await send(`${new URL(statusUrl, api('/'))}?customer=${customer}`)).json,
    /** A customer with a subscription paid by a first card (set on both) and a second card set on the customer. */
    async customerWithTwoCards() {
      const { customer, subscription } = await customerWithSubscription(stackOf().stripe);
      const first = await savedCard(customer.id, subscription.id);
      const second = await savedCard(customer.id, undefined, '5555555555554444');
      return { customerId: customer.id, subscriptionId: subscription.id, first, second };
    },
  };
}
