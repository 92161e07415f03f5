import { decideOnStripeEvent, parseSetupMessage } from '../../functions/shared/flow/setup-message';

const base = { id: 'evt_123', object: 'event', created: 1_800_000_000, livemode: false };

const ours = { created_by: 'stripe-setup-mode-service' };

function completedEvent(session: Record<string, unknown>) {
  return {
    ...base,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: 'cs_test_abc',
        object: 'checkout.session',
        mode: 'setup',
        setup_intent: 'seti_abc',
        metadata: ours,
        ...session,
      },
    },
  };
}

function setupIntentEvent(type: string, intent: Record<string, unknown>) {
  return { ...base, type, data: { object: { id: 'seti_late', object: 'setup_intent', ...intent } } };
}

const oursWithCustomer = { ...ours, customer_id: 'cus_1' };

describe('decideOnStripeEvent', () => {
  it('enqueues a completed setup-mode session with only what the worker needs to find it', () => {
    expect(decideOnStripeEvent(completedEvent({ customer: 'cus_1', metadata: ours }))).toEqual({
      action: 'enqueue',
      message: {
        eventId: 'evt_123',
        eventType: 'checkout.session.completed',
        setupIntentId: 'seti_abc',
        sessionId: 'cs_test_abc',
        customerId: 'cus_1',
        subscriptionId: null,
        created: 1_800_000_000,
        livemode: false,
      },
      // What the signed event says of the session, for the status route to answer it without Stripe.
      completion: {
        sessionId: 'cs_test_abc',
        setupIntentId: 'seti_abc',
        customerId: 'cus_1',
        metadata: ours,
        livemode: false,
        completedAt: 1_800_000_000,
      },
    });
  });

  it('carries the subscription from the metadata, so the worker can read its default owner early', () => {
    const decision = decideOnStripeEvent(
      completedEvent({
        customer: 'cus_1',
        metadata: { ...ours, customer_id: 'cus_1', subscription_id: 'sub_9' },
      }),
    );
    expect(decision.action === 'enqueue' && decision.message.subscriptionId).toBe('sub_9');
  });

  it('takes the customer from metadata when the session has none', () => {
    const decision = decideOnStripeEvent(
      completedEvent({ customer: null, metadata: { ...ours, customer_id: 'cus_meta' } }),
    );
    expect(decision.action === 'enqueue' && decision.message.customerId).toBe('cus_meta');
  });

  it('ignores setup-mode sessions the SaaS ran for its own ends (no created_by marker)', () => {
    expect(
      decideOnStripeEvent(completedEvent({ customer: 'cus_1', metadata: { customer_id: 'cus_1' } })),
    ).toEqual({
      action: 'ignore',
      reason: 'The session was not created by this service.',
    });
  });

  it('ignores payment and subscription mode sessions', () => {
    expect(decideOnStripeEvent(completedEvent({ mode: 'payment' }))).toEqual({
      action: 'ignore',
      reason: 'Session mode payment is not handled.',
    });
  });

  it.each(['setup_intent.succeeded', 'setup_intent.setup_failed'])(
    'enqueues %s for a SetupIntent from our sessions (delayed payment methods)',
    (type) => {
      expect(
        decideOnStripeEvent(setupIntentEvent(type, { customer: 'cus_1', metadata: oursWithCustomer })),
      ).toEqual({
        action: 'enqueue',
        message: expect.objectContaining({
          eventType: type,
          setupIntentId: 'seti_late',
          sessionId: null,
          customerId: 'cus_1',
        }),
      });
    },
  );

  it('ignores SetupIntents the service did not create', () => {
    const decision = decideOnStripeEvent(
      setupIntentEvent('setup_intent.succeeded', { metadata: { customer_id: 'c' } }),
    );
    expect(decision).toEqual({
      action: 'ignore',
      reason: 'The SetupIntent was not created by this service.',
    });
  });

  it('ignores event types it does not handle', () => {
    expect(decideOnStripeEvent({ id: 'evt_2', type: 'invoice.paid', data: {} })).toMatchObject({
      action: 'ignore',
    });
  });

  it('rejects bodies that are not Stripe events, or malformed ones of handled types', () => {
    expect(decideOnStripeEvent([1, 2])).toMatchObject({ action: 'reject' });
    expect(decideOnStripeEvent({ type: 'checkout.session.completed' })).toMatchObject({ action: 'reject' });
    expect(decideOnStripeEvent({ ...completedEvent({}), data: { object: { id: 7 } } })).toMatchObject({
      action: 'reject',
    });
    expect(decideOnStripeEvent(completedEvent({ setup_intent: null }))).toMatchObject({ action: 'reject' });
  });
});

describe('parseSetupMessage', () => {
  const valid = {
    eventId: 'evt_1',
    eventType: 'checkout.session.completed',
    setupIntentId: 'seti_1',
    sessionId: 'cs_test_1',
    customerId: 'cus_1',
    created: 1,
    livemode: false,
  };

  it('reads back what the webhook wrote', () => {
    expect(parseSetupMessage(JSON.stringify(valid))).toEqual(valid);
  });

  it.each([
    ['not json'],
    [JSON.stringify({ ...valid, setupIntentId: 'pi_123' })],
    [JSON.stringify({ ...valid, created: 'x' })],
    [JSON.stringify({ ...valid, eventType: 'invoice.paid' })],
    [JSON.stringify({ ...valid, customerId: "cus_1' OR 1=1" })],
  ])('refuses %s', (body) => {
    expect(parseSetupMessage(body)).toBeUndefined();
  });
});
