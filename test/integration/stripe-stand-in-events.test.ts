import Stripe from 'stripe';
import { DECLINED_TEST_CARD, type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * What the stand-in emits for each path of Checkout in setup mode, against Stripe's own descriptions:
 * the event types (https://docs.stripe.com/api/events/types), "Set up future payments" with Checkout
 * (https://docs.stripe.com/payments/save-and-reuse?platform=checkout), the test cards
 * (https://docs.stripe.com/testing) and webhook delivery behaviour (https://docs.stripe.com/webhooks).
 * Every delivery is verified by the official SDK's `constructEvent`.
 */
const SUBSCRIBED = ['checkout.session.completed', 'setup_intent.succeeded', 'setup_intent.setup_failed'];

let standIn: StripeStandIn;
let stripe: Stripe;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(() => standIn.webhookSecret);
  standIn = await startStripeStandIn({ webhookUrl: receiver.url, enabledEvents: SUBSCRIBED });
  stripe = new Stripe('sk_test_events', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(async () => {
  await standIn.close();
  await receiver.close();
});
beforeEach(async () => {
  await standIn.deliveriesSettled();
  receiver.received.length = 0;
  standIn.configureDelivery({ duplicateProbability: 0, delayMs: [0, 5] });
});

async function openSession() {
  const customer = await stripe.customers.create({ email: 'events@example.com' });
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    customer: customer.id,
    success_url: 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}',
  });
  return { customer, session, setupIntentId: session.setup_intent as string };
}

/** Types of the events /v1/events lists about these objects, oldest first. */
async function eventTypesAbout(...ids: string[]): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data
    .filter((event) => ids.includes((event.data.object as { id: string }).id))
    .map((event) => event.type)
    .reverse();
}

async function deliveredTypesAbout(...ids: string[]): Promise<string[]> {
  await standIn.deliveriesSettled();
  return receiver.received
    .filter((event) => ids.includes((event.data.object as { id: string }).id))
    .map((event) => event.type)
    .sort();
}

describe('a card that works (4242 4242 4242 4242)', () => {
  it('records setup_intent.created, payment_method.attached, setup_intent.succeeded, checkout.session.completed', async () => {
    const { customer, session, setupIntentId } = await openSession();
    const completed = await standIn.completeCheckoutSession(session.id);
    const paymentMethodId = completed.paymentMethod.id;
    expect(await eventTypesAbout(session.id, setupIntentId, paymentMethodId)).toEqual([
      'setup_intent.created',
      'payment_method.attached',
      'setup_intent.succeeded',
      'checkout.session.completed',
    ]);
    const intent = await stripe.setupIntents.retrieve(setupIntentId, { expand: ['latest_attempt'] });
    expect(intent).toMatchObject({
      status: 'succeeded',
      customer: customer.id,
      payment_method: paymentMethodId,
    });
    expect(intent.latest_attempt).toMatchObject({ object: 'setup_attempt', status: 'succeeded' });
  });

  it('reaches the webhook only for the subscribed types', async () => {
    const { session, setupIntentId } = await openSession();
    const completed = await standIn.completeCheckoutSession(session.id);
    expect(await deliveredTypesAbout(session.id, setupIntentId, completed.paymentMethod.id)).toEqual([
      'checkout.session.completed',
      'setup_intent.succeeded',
    ]);
  });

  it('delivers an event twice when Stripe does', async () => {
    standIn.configureDelivery({ duplicateProbability: 1 });
    const { session, setupIntentId } = await openSession();
    await standIn.completeCheckoutSession(session.id);
    expect(await deliveredTypesAbout(session.id, setupIntentId)).toEqual([
      'checkout.session.completed',
      'checkout.session.completed',
      'setup_intent.succeeded',
      'setup_intent.succeeded',
    ]);
  });
});

describe('a declined card (4000 0000 0000 0002), then a card that works, in one session', () => {
  it('fires setup_intent.setup_failed with last_setup_error, keeps the session open, then completes it', async () => {
    const { session, setupIntentId } = await openSession();
    const declined = await standIn.completeCheckoutSession(session.id, { card: DECLINED_TEST_CARD });
    expect(declined).toMatchObject({ declined: true, code: 'card_declined', declineCode: 'generic_decline' });
    const failed = await stripe.setupIntents.retrieve(setupIntentId);
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.last_setup_error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');

    const completed = await standIn.completeCheckoutSession(session.id);
    expect(completed.declined).toBe(false);
    expect(await eventTypesAbout(session.id, setupIntentId)).toEqual([
      'setup_intent.created',
      'setup_intent.setup_failed',
      'setup_intent.succeeded',
      'checkout.session.completed',
    ]);
    expect(await deliveredTypesAbout(session.id, setupIntentId)).toEqual([
      'checkout.session.completed',
      'setup_intent.setup_failed',
      'setup_intent.succeeded',
    ]);
    expect((await stripe.setupIntents.retrieve(setupIntentId)).last_setup_error).toBeNull();
  });
});

describe('a card that requires authentication (4000 0025 0000 3155)', () => {
  it('asks for it (setup_intent.requires_action), then succeeds once it is passed', async () => {
    const { session, setupIntentId } = await openSession();
    await standIn.completeCheckoutSession(session.id, { card: '4000002500003155' });
    expect(await eventTypesAbout(session.id, setupIntentId)).toEqual([
      'setup_intent.created',
      'setup_intent.requires_action',
      'setup_intent.succeeded',
      'checkout.session.completed',
    ]);
  });

  it('a failed challenge is setup_failed (setup_intent_authentication_failure) and the session stays open', async () => {
    const { session, setupIntentId } = await openSession();
    const result = await standIn.completeCheckoutSession(session.id, {
      card: '4000002500003155',
      authentication: 'failed',
    });
    expect(result).toMatchObject({ declined: true, code: 'setup_intent_authentication_failure' });
    expect((await stripe.setupIntents.retrieve(setupIntentId)).status).toBe('requires_payment_method');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });
});

describe('a bank debit', () => {
  it('SEPA Debit: the session completes while the SetupIntent is processing; the bank later succeeds', async () => {
    const { customer, session, setupIntentId } = await openSession();
    const completed = await standIn.completeCheckoutSession(session.id, { setupIntentStatus: 'processing' });
    expect(completed.paymentMethod.type).toBe('sepa_debit');
    expect((await stripe.setupIntents.retrieve(setupIntentId)).status).toBe('processing');
    await standIn.settleSetupIntent(setupIntentId, 'succeeded');
    expect(await stripe.paymentMethods.retrieve(completed.paymentMethod.id)).toMatchObject({
      customer: customer.id,
    });
    expect(await deliveredTypesAbout(session.id, setupIntentId)).toEqual([
      'checkout.session.completed',
      'setup_intent.succeeded',
    ]);
  });

  it('US bank account: waits for micro-deposit verification (verify_with_microdeposits), then fails', async () => {
    const { session, setupIntentId } = await openSession();
    await standIn.completeCheckoutSession(session.id, { setupIntentStatus: 'requires_action' });
    const waiting = await stripe.setupIntents.retrieve(setupIntentId);
    expect(waiting.status).toBe('requires_action');
    expect(waiting.next_action?.type).toBe('verify_with_microdeposits');
    await standIn.settleSetupIntent(setupIntentId, 'failed');
    expect((await stripe.setupIntents.retrieve(setupIntentId)).status).toBe('requires_payment_method');
    expect(await deliveredTypesAbout(session.id, setupIntentId)).toEqual([
      'checkout.session.completed',
      'setup_intent.setup_failed',
    ]);
  });
});

describe('webhook delivery', () => {
  it('retries a delivery the endpoint did not answer 2xx', async () => {
    standIn.setWebhookUrl(receiver.failingUrl, SUBSCRIBED);
    standIn.configureDelivery({ retries: 2 });
    try {
      const { session } = await openSession();
      await standIn.completeCheckoutSession(session.id);
      await standIn.deliveriesSettled();
      const attempts = standIn.deliveries.filter(
        (attempt) => attempt.type === 'checkout.session.completed' && attempt.url === receiver.failingUrl,
      );
      expect(attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500]);
    } finally {
      standIn.setWebhookUrl(receiver.url, SUBSCRIBED);
    }
  });
});

// Stripe's versioning (docs.stripe.com/api/versioning): the SDK pins Stripe-Version on every request.
describe('Stripe-Version', () => {
  it('the pinned version is served; another one is refused with Stripe’s invalid-version error', async () => {
    expect((await stripe.customers.create({})).object).toBe('customer');
    const other = new Stripe('sk_test_events', {
      ...standIn.sdkOptions,
      maxNetworkRetries: 0,
      apiVersion: '2025-03-31.basil' as Stripe.LatestApiVersion,
    });
    await expect(other.customers.create({})).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      message: expect.stringMatching(/^Invalid Stripe API version: 2025-03-31\.basil/),
    });
  });
});
