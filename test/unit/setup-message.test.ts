import { decideOnStripeEvent, parseSetupMessage } from '../../functions/shared/flow/setup-message';

function completedEvent(session: Record<string, unknown>) {
  return {
    id: 'evt_123',
    object: 'event',
    type: 'checkout.session.completed',
    created: 1_800_000_000,
    livemode: false,
    data: { object: { id: 'cs_test_abc', object: 'checkout.session', mode: 'setup', ...session } },
  };
}

describe('decideOnStripeEvent', () => {
  it('enqueues a completed setup-mode session with only what the worker needs to find it', () => {
    expect(decideOnStripeEvent(completedEvent({ customer: 'cus_1', metadata: {} }))).toEqual({
      action: 'enqueue',
      message: {
        eventId: 'evt_123',
        eventType: 'checkout.session.completed',
        sessionId: 'cs_test_abc',
        customerId: 'cus_1',
        created: 1_800_000_000,
        livemode: false,
      },
    });
  });

  it('takes the customer from metadata when the session has none', () => {
    const decision = decideOnStripeEvent(
      completedEvent({ customer: null, metadata: { customer_id: 'cus_meta' } }),
    );
    expect(decision.action === 'enqueue' && decision.message.customerId).toBe('cus_meta');
  });

  it('ignores payment and subscription mode sessions', () => {
    expect(decideOnStripeEvent(completedEvent({ mode: 'payment' }))).toEqual({
      action: 'ignore',
      reason: 'Session mode payment is not handled.',
    });
  });

  it('ignores event types it does not handle', () => {
    expect(decideOnStripeEvent({ id: 'evt_2', type: 'invoice.paid', data: {} })).toMatchObject({
      action: 'ignore',
    });
  });

  it('rejects bodies that are not Stripe events, or malformed completions', () => {
    expect(decideOnStripeEvent([1, 2])).toMatchObject({ action: 'reject' });
    expect(decideOnStripeEvent({ type: 'checkout.session.completed' })).toMatchObject({ action: 'reject' });
    expect(decideOnStripeEvent({ ...completedEvent({}), data: { object: { id: 7 } } })).toMatchObject({
      action: 'reject',
    });
  });
});

describe('parseSetupMessage', () => {
  const valid = {
    eventId: 'evt_1',
    eventType: 'checkout.session.completed',
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
    [JSON.stringify({ ...valid, sessionId: 'pi_123' })],
    [JSON.stringify({ ...valid, created: 'x' })],
  ])('refuses %s', (body) => {
    expect(parseSetupMessage(body)).toBeUndefined();
  });
});
