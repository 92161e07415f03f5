import { createHmac } from 'node:crypto';
import { type LocalHttpApi, startHttpApi } from '../../dev/http-api/server';
import type { StoredEvent } from '../../dev/stripe-stand-in';
import { signPayload } from '../../dev/stripe-stand-in';
import { STRIPE_WEBHOOK_ROUTE } from '../../functions/shared/routes';
import { MAX_WEBHOOK_BODY_BYTES } from '../../functions/stripe-webhook/event-guards';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { completeSession } from '../support/checkout';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

let stack: ServiceStack;
let completedEvent: StoredEvent;
/** Extra webhook endpoints wired with other settings, behind their own local HTTP API. */
const endpoints: LocalHttpApi[] = [];

beforeAll(async () => {
  stack = await startServiceStack();
  const customer = await stack.stripe.customers.create({});
  const created = await postJson(`${stack.api.url}/checkout-sessions`, { customer: customer.id });
  completedEvent = (await completeSession(stack.stripeStandIn, created.json.id)).event;
});
afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await stack.close();
});
beforeEach(() => stack.drainQueue({ retryDelaySeconds: 0 }));

/** A webhook endpoint with env overrides, its JSON log lines captured. */
async function webhookWith(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const handler = wireStripeWebhook({ ...stack.env, LOG_LEVEL: 'info', ...env });
  const api = await startHttpApi([
    {
      routeKey: STRIPE_WEBHOOK_ROUTE,
      handler: async (event) => {
        // Powertools writes warnings and errors to stderr, the rest to stdout.
        const streams = [process.stdout, process.stderr];
        const writes = streams.map((stream) => stream.write);
        for (const stream of streams) {
          stream.write = ((line: string) => lines.push(JSON.parse(line)) > 0) as typeof stream.write;
        }
        try {
          return await handler(event);
        } finally {
          streams.forEach((stream, index) => {
            stream.write = writes[index] as typeof stream.write;
          });
        }
      },
    },
  ]);
  endpoints.push(api);
  return { url: `${api.url}/webhooks/stripe`, lines };
}

const v1 = (payload: string, secret: string, timestamp: number) =>
  createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');

describe('signing secret rotation', () => {
  it('while two secrets are configured, an event signed with either (or both, as Stripe does) is accepted', async () => {
    const webhook = await webhookWith({
      STRIPE_WEBHOOK_SECRET: `whsec_old_0123456789abcdefghijkl,${stack.stripeStandIn.webhookSecret}`,
    });
    const payload = JSON.stringify(completedEvent);
    const t = Math.floor(Date.now() / 1000);
    const both = `t=${t},v1=${v1(payload, 'whsec_old_0123456789abcdefghijkl', t)},v1=${v1(payload, stack.stripeStandIn.webhookSecret, t)}`;
    for (const signature of [
      both,
      signPayload(payload, 'whsec_old_0123456789abcdefghijkl'),
      signPayload(payload, stack.stripeStandIn.webhookSecret),
    ]) {
      const reply = await send(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      expect(reply.status).toBe(200);
    }
  });

  it('once the old secret is removed, an event signed only with it is refused', async () => {
    const reply = await deliverSignedEvent(
      stack.webhookUrl,
      completedEvent,
      'whsec_old_0123456789abcdefghijkl',
    );
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('invalid_signature');
    expect(await stack.queueDepth()).toBe(0);
  });
});

describe('events that do not belong to this deployment', () => {
  it('a test-mode event at a live deployment → 400 livemode_mismatch, logged, nothing enqueued', async () => {
    const live = await webhookWith({ STRIPE_MODE: 'live' });
    const reply = await deliverSignedEvent(live.url, completedEvent, stack.stripeStandIn.webhookSecret);
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('livemode_mismatch');
    expect(await stack.queueDepth()).toBe(0);
    expect(live.lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', code: 'livemode_mismatch', stripeEventId: completedEvent.id }),
    );
  });

  it('a live-mode event at a test deployment is refused the same way', async () => {
    const reply = await deliverSignedEvent(
      stack.webhookUrl,
      { ...completedEvent, livemode: true },
      stack.stripeStandIn.webhookSecret,
    );
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('livemode_mismatch');
  });

  it('an event for a connected account → 200, so Stripe stops, and nothing enqueued', async () => {
    const reply = await deliverSignedEvent(
      stack.webhookUrl,
      { ...completedEvent, account: 'acct_1Connected' },
      stack.stripeStandIn.webhookSecret,
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ received: true, enqueued: false });
    expect(await stack.queueDepth()).toBe(0);
  });
});

describe('size, content type and JSON', () => {
  it(`a body over ${MAX_WEBHOOK_BODY_BYTES / 1024} KiB → 413 before any signature work`, async () => {
    const padded = { ...completedEvent, padding: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) };
    const reply = await deliverSignedEvent(stack.webhookUrl, padded, stack.stripeStandIn.webhookSecret);
    expect(reply.status).toBe(413);
    expect(reply.json.error.code).toBe('payload_too_large');
  });

  it('a correctly signed body of the wrong type or shape is refused only after the signature is checked', async () => {
    // Unsigned: the signature is what answers, whatever the content type.
    const unsigned = await send(stack.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(unsigned.json.error.code).toBe('invalid_signature');
    const signed = await deliverSignedEvent(
      stack.webhookUrl,
      completedEvent,
      stack.stripeStandIn.webhookSecret,
      {
        contentType: 'text/plain',
      },
    );
    expect(signed.status).toBe(415);
    expect(await stack.queueDepth()).toBe(0);
  });
});
