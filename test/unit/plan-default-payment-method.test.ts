import { planDefaultPaymentMethod } from '../../functions/shared/flow/apply-default-payment-method';
import type { CheckoutSessionSnapshot, SetupIntentSnapshot } from '../../functions/shared/ports';

function session(
  intent: Partial<SetupIntentSnapshot> | null,
  overrides: Partial<CheckoutSessionSnapshot> = {},
) {
  return {
    id: 'cs_test_1',
    mode: 'setup',
    status: 'complete',
    customerId: 'cus_1',
    metadata: { customer_id: 'cus_1' },
    created: 1,
    livemode: false,
    setupIntent:
      intent === null
        ? null
        : {
            id: 'seti_1',
            status: 'succeeded',
            customerId: 'cus_1',
            paymentMethod: { id: 'pm_1', type: 'card' },
            metadata: { customer_id: 'cus_1', subscription_id: 'sub_1' },
            ...intent,
          },
    ...overrides,
  } satisfies CheckoutSessionSnapshot;
}

describe('planDefaultPaymentMethod', () => {
  it('applies the method to the customer and the subscription from metadata', () => {
    expect(planDefaultPaymentMethod(session({}))).toEqual({
      status: 'apply',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      paymentMethodId: 'pm_1',
      attach: false,
    });
  });

  it('attaches first when the SetupIntent has no customer', () => {
    expect(planDefaultPaymentMethod(session({ customerId: null }))).toMatchObject({
      attach: true,
      customerId: 'cus_1',
    });
  });

  it('leaves the subscription alone when none was named', () => {
    const plan = planDefaultPaymentMethod(session({ metadata: { customer_id: 'cus_1' } }));
    expect(plan).toEqual({ status: 'apply', customerId: 'cus_1', paymentMethodId: 'pm_1', attach: false });
  });

  it.each(['processing', 'requires_action'])('records a %s SetupIntent as pending', (status) => {
    expect(planDefaultPaymentMethod(session({ status }))).toEqual({
      status: 'skip',
      outcome: { status: 'pending', customerId: 'cus_1', setupIntentStatus: status },
    });
  });

  it.each([
    [session({ status: 'canceled' }), 'setup_intent_canceled'],
    [session({}, { status: 'expired' }), 'session_expired'],
    [session({}, { mode: 'payment' }), 'not_setup_mode'],
    [session(null), 'setup_intent_missing'],
    [session({ paymentMethod: null }), 'payment_method_missing'],
    [session({ customerId: 'cus_other' }), 'customer_mismatch'],
    [session({ customerId: null, metadata: {} }, { customerId: null, metadata: {} }), 'customer_unknown'],
  ])('fails permanently, without touching Stripe, for %#', (snapshot, failureCode) => {
    expect(planDefaultPaymentMethod(snapshot)).toMatchObject({
      status: 'skip',
      outcome: { status: 'failed', failureCode },
    });
  });
});
