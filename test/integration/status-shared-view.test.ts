import { toHttpApiEvent } from '../../dev/http-api/event';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { postJson } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Stripe's rate limit is per account, shared by the worker, the SaaS and every instance of the session API
 * (https://docs.stripe.com/rate-limits); a success page polls the status route until its defaults are applied.
 * Two session API instances (two wirings, as two Lambda instances would be: nothing shared but the table)
 * poll alternately; the stand-in's request log counts Stripe's session reads
 * (GET /v1/checkout/sessions/:id, https://docs.stripe.com/api/checkout/sessions/retrieve).
 */
let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({ env: { STATUS_SHARED_REFRESH_SECONDS: '3' } });
});
afterAll(() => stack.close());

const env = () => ({ ...stack.env, STATUS_SHARED_REFRESH_SECONDS: '3' });
const sessionReads = (sessionId: string) =>
  stack.stripeStandIn.countRequests('GET', new RegExp(`^/v1/checkout/sessions/${sessionId}$`));

async function pollBoth(sessionId: string, polls: number) {
  const instances = [wireCheckoutApi(env()), wireCheckoutApi(env())];
  const answers = [];
  for (let poll = 0; poll < polls; poll++) {
    const handler = instances[poll % 2] as (typeof instances)[number];
    answers.push(await handler(toHttpApiEvent({ method: 'GET', url: `/checkout-sessions/${sessionId}` })));
  }
  return answers;
}

describe('status route: Stripe reads per session, not per poll', () => {
  it('a finished setup the webhook never recorded is read from Stripe once, then answered from DynamoDB on every instance', async () => {
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: (await stack.stripe.customers.create({})).id,
    });
    const sessionId = created.json.id as string;
    // Completed at Stripe, its webhook never delivered: the status route reads it and queues it itself.
    await stack.stripeStandIn.completeCheckoutSession(sessionId, {});
    stack.stripeStandIn.clearRequests();
    await pollBoth(sessionId, 1);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    const answers = await pollBoth(sessionId, 20);
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(JSON.parse(answers[19]?.body ?? '{}')).toMatchObject({ defaultsApplied: true });
    expect(sessionReads(sessionId)).toBe(1);
  });

  it('an unfinished session is read from Stripe at most once per refresh whoever polls, and its completion is seen after it', async () => {
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: (await stack.stripe.customers.create({})).id,
    });
    const sessionId = created.json.id as string;
    stack.stripeStandIn.clearRequests();
    const first = await pollBoth(sessionId, 10);
    expect(first.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(sessionReads(sessionId)).toBe(1);
    await stack.stripeStandIn.completeCheckoutSession(sessionId, {});
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const later = await pollBoth(sessionId, 4);
    expect(JSON.parse(later[3]?.body ?? '{}')).toMatchObject({ status: 'complete' });
    expect(sessionReads(sessionId)).toBe(2);
  });
});
