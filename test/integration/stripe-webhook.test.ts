import type Stripe from 'stripe';
import { toHttpApiEvent } from '../../dev/http-api/event';
import type { StoredEvent } from '../../dev/stripe-stand-in';
import { signPayload } from '../../dev/stripe-stand-in';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent, signedWebhookEvent } from '../support/webhooks';

let stack: ServiceStack;
let completedEvent: StoredEvent;

beforeAll(async () => {
  stack = await startServiceStack();
  const { customer, subscription } = await customerWithSubscription(stack.stripe);
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer: customer.id,
    subscription: subscription.id,
  });
  completedEvent = (await completeSession(stack.stripeStandIn, created.json.id)).event;
});
afterAll(() => stack.close());
beforeEach(async () => {
  // Each test starts from an empty queue, so "nothing enqueued" is a real observation.
  await stack.drainQueue({ retryDelaySeconds: 0 });
});

function eventOfType(type: string, object: Record<string, unknown>) {
  return { ...completedEvent, id: `evt_${type.replace(/\W/g, '_')}`, type, data: { object } };
}

/** A thin event as the pinned SDK types it (V2.Core.Events.*EventNotification, minus its fetch helpers). */
type ThinNotification = Omit<
  | Stripe.Events.V1CheckoutSessionCompletedEventNotification
  | Stripe.Events.V1SetupIntentSucceededEventNotification
  | Stripe.Events.V1SetupIntentSetupFailedEventNotification,
  'fetchEvent' | 'fetchRelatedObject' | 'context'
>;

describe('thin events (event destinations with the thin payload style)', () => {
  const session = () => completedEvent.data.object as { id: string; setup_intent: string };
  const thinEvents = (): ThinNotification[] => [
    {
      id: 'evt_thin_session',
      object: 'v2.core.event',
      type: 'v1.checkout.session.completed',
      created: new Date().toISOString(),
      livemode: false,
      related_object: {
        id: session().id,
        type: 'checkout.session',
        url: `/v1/checkout/sessions/${session().id}`,
      },
    },
    ...(['v1.setup_intent.succeeded', 'v1.setup_intent.setup_failed'] as const).map((type) => ({
      id: `evt_thin_${type.replace(/\W/g, '_')}`,
      object: 'v2.core.event' as const,
      type,
      created: new Date().toISOString(),
      livemode: false,
      related_object: {
        id: session().setup_intent,
        type: 'setup_intent',
        url: `/v1/setup_intents/${session().setup_intent}`,
      },
    })),
  ];

  it.each([0, 1, 2])(
    'thin event #%i is refused with a 4xx naming the setting, never a silent 200',
    async (index) => {
      const event = thinEvents()[index] as ThinNotification;
      const payload = JSON.stringify(event);
      // The SDK itself accepts it as a signed thin notification: it is what Stripe would send.
      const notification = stack.stripe.parseEventNotification(
        payload,
        signPayload(payload, stack.stripeStandIn.webhookSecret),
        stack.stripeStandIn.webhookSecret,
      );
      expect(notification.type).toBe(event.type);

      const reply = await deliverSignedEvent(stack.webhookUrl, event, stack.stripeStandIn.webhookSecret);
      expect(reply.status).toBe(400);
      expect(reply.json.error.code).toBe('thin_event_unsupported');
      expect(reply.json.error.message).toMatch(/payload style to Snapshot.*2026-10-28\.endive/);
      expect(await stack.queueDepth()).toBe(0);
    },
  );
});

describe('Stripe webhook', () => {
  it('a correctly signed checkout.session.completed in setup mode is enqueued once', async () => {
    const reply = await deliverSignedEvent(
      stack.webhookUrl,
      completedEvent,
      stack.stripeStandIn.webhookSecret,
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ received: true, enqueued: true });
    expect(await stack.queueDepth()).toBe(1);
  });

  const signatures: [string, (payload: string) => string | undefined][] = [
    ['forged (wrong secret)', (payload) => signPayload(payload, 'whsec_forged')],
    ['missing', () => undefined],
    [
      'stale (10 minutes old)',
      (payload) =>
        signPayload(payload, stack.stripeStandIn.webhookSecret, Math.floor(Date.now() / 1000) - 600),
    ],
  ];
  it.each(signatures)('a %s signature → 400, nothing enqueued', async (_label, sign) => {
    const payload = JSON.stringify(completedEvent);
    const signature = sign(payload);
    const reply = await send(stack.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'stripe-signature': signature } : {}),
      },
      body: payload,
    });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('invalid_signature');
    expect(reply.json.error.message).toEqual(expect.any(String));
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a body changed after signing → 400, nothing enqueued', async () => {
    const payload = JSON.stringify(completedEvent);
    const reply = await send(stack.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(payload, stack.stripeStandIn.webhookSecret),
      },
      body: payload.replace('"livemode":false', '"livemode":true'),
    });
    expect(reply.status).toBe(400);
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a signed body of another content type → 415 (checked after the signature), nothing enqueued', async () => {
    const reply = await deliverSignedEvent(
      stack.webhookUrl,
      completedEvent,
      stack.stripeStandIn.webhookSecret,
      { contentType: 'application/octet-stream' },
    );
    expect(reply.status).toBe(415);
    expect(reply.json.error.code).toBe('unsupported_media_type');
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a base64-encoded body (as API Gateway may pass it) verifies on its raw bytes', async () => {
    const handler = wireStripeWebhook(stack.env);
    const payload = Buffer.from(JSON.stringify(completedEvent));
    const event = {
      ...toHttpApiEvent({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signPayload(payload.toString(), stack.stripeStandIn.webhookSecret),
        },
      }),
      body: payload.toString('base64'),
      isBase64Encoded: true,
    };
    expect((await handler(event)).statusCode).toBe(200);
    expect(await stack.queueDepth()).toBe(1);
  });

  it.each([
    ['a payment-mode session', eventOfTypeLazy('checkout.session.completed', { mode: 'payment' })],
    ['a subscription-mode session', eventOfTypeLazy('checkout.session.completed', { mode: 'subscription' })],
    ['invoice.paid', eventOfTypeLazy('invoice.paid', { object: 'invoice' })],
    ['customer.updated', eventOfTypeLazy('customer.updated', { object: 'customer' })],
  ])('%s → 200 so Stripe stops retrying, nothing enqueued', async (_label, build) => {
    const reply = await deliverSignedEvent(stack.webhookUrl, build(), stack.stripeStandIn.webhookSecret);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ received: true, enqueued: false });
    expect(await stack.queueDepth()).toBe(0);
  });

  it('a signed body that is not JSON → 400 with a JSON error', async () => {
    const reply = await send(stack.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload('{not json', stack.stripeStandIn.webhookSecret),
      },
      body: '{not json',
    });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('invalid_json');
  });

  it('when SQS refuses the message the webhook answers 5xx, so Stripe delivers again', async () => {
    const broken = wireStripeWebhook({
      ...stack.env,
      QUEUE_URL: `${stack.sqs.endpoint}/123456789012/no-such-queue`,
    });
    const result = await broken(signedWebhookEvent(completedEvent, stack.stripeStandIn.webhookSecret));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '{}').error.code).toBe('queue_unavailable');
  });
});

function eventOfTypeLazy(type: string, object: Record<string, unknown>) {
  return () => {
    const session = (completedEvent.data as { object: Record<string, unknown> }).object;
    return eventOfType(type, { ...session, ...object });
  };
}
