import {
  type ApplyPlan,
  isNewerThanSetup,
  planDefaultPaymentMethod,
  setupOrderOf,
  stepFor,
} from '../../functions/shared/flow/apply-default-payment-method';
import type { SetupIntentSnapshot } from '../../functions/shared/ports';

function intent(overrides: Partial<SetupIntentSnapshot> = {}): SetupIntentSnapshot {
  return {
    id: 'seti_1',
    status: 'succeeded',
    created: 1_800_000_000,
    customerId: 'cus_1',
    paymentMethod: { id: 'pm_1', type: 'card' },
    metadata: { customer_id: 'cus_1', subscription_id: 'sub_1', created_by: 'stripe-setup-mode-service' },
    ...overrides,
  };
}

/** Proven by the caller and well inside the retention. */
const fresh = { proven: true, notBefore: 0 };

describe('planDefaultPaymentMethod', () => {
  it('applies the method to the customer and the subscription from metadata, ordered by creation', () => {
    expect(planDefaultPaymentMethod(intent(), fresh)).toEqual({
      status: 'apply',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      paymentMethodId: 'pm_1',
      paymentMethodType: 'card',
      setupIntentId: 'seti_1',
      attach: false,
      setupOrder: '001800000000#001800000000#seti_1',
      savedAt: 1_800_000_000,
    });
  });

  it('attaches first when the SetupIntent has no customer', () => {
    expect(planDefaultPaymentMethod(intent({ customerId: null }), fresh)).toMatchObject({
      attach: true,
      customerId: 'cus_1',
    });
  });

  it('leaves the subscription alone when none was named', () => {
    const plan = planDefaultPaymentMethod(
      intent({ metadata: { customer_id: 'cus_1', created_by: 'stripe-setup-mode-service' } }),
      fresh,
    );
    expect(plan).toMatchObject({ status: 'apply', customerId: 'cus_1' });
    expect(plan).not.toHaveProperty('subscriptionId');
  });

  it.each(['processing', 'requires_action', 'requires_payment_method'])(
    'records a %s SetupIntent (no error) as pending',
    (status) => {
      expect(planDefaultPaymentMethod(intent({ status }), fresh)).toEqual({
        status: 'skip',
        outcome: { status: 'pending', customerId: 'cus_1', setupIntentStatus: status },
      });
    },
  );

  it.each([
    [intent({ status: 'canceled' }), 'setup_intent_canceled'],
    [
      intent({ status: 'requires_payment_method', lastSetupError: { code: 'debit_not_authorized' } }),
      'debit_not_authorized',
    ],
    [intent({ paymentMethod: null }), 'payment_method_missing'],
    [intent({ customerId: 'cus_other' }), 'customer_mismatch'],
    [intent({ customerId: null, metadata: { created_by: 'stripe-setup-mode-service' } }), 'customer_unknown'],
    [intent({ metadata: { customer_id: 'cus_1' } }), 'not_created_by_service'],
  ])('fails permanently, without touching Stripe, for case %#', (snapshot, failureCode) => {
    expect(planDefaultPaymentMethod(snapshot, fresh)).toMatchObject({
      status: 'skip',
      outcome: { status: 'failed', failureCode },
    });
  });
});

describe('what metadata alone cannot do', () => {
  it('never names a customer or subscription without the proof: no attach, no default', () => {
    for (const snapshot of [intent(), intent({ customerId: null })]) {
      expect(planDefaultPaymentMethod(snapshot, { ...fresh, proven: false })).toMatchObject({
        status: 'skip',
        outcome: { status: 'failed', failureCode: 'setup_unproven' },
      });
    }
  });

  it('an unproven setup’s failure names no customer taken from its metadata', () => {
    const plan = planDefaultPaymentMethod(intent({ customerId: null }), { ...fresh, proven: false });
    expect(plan.status === 'skip' && 'customerId' in plan.outcome).toBe(false);
  });

  it('changes nothing for a setup older than the record retention', () => {
    expect(planDefaultPaymentMethod(intent(), { proven: true, notBefore: 1_800_000_001 })).toMatchObject({
      status: 'skip',
      outcome: { status: 'failed', failureCode: 'setup_too_old' },
    });
  });
});

describe('Stripe’s current default, where no owner record can tell', () => {
  const plan = planDefaultPaymentMethod(intent(), fresh) as ApplyPlan;
  it.each([
    ['no default yet', null, false],
    ['an older method', { paymentMethodId: 'pm_old', created: 1_700_000_000 }, false],
    ['this setup’s own method', { paymentMethodId: 'pm_1', created: 1_800_000_100 }, false],
    ['a method created after this setup began', { paymentMethodId: 'pm_new', created: 1_800_000_100 }, true],
  ])('%s: newer than the setup = %s', (_name, current, newer) => {
    expect(isNewerThanSetup(current, plan)).toBe(newer);
  });
});

describe('newest setup wins', () => {
  const older = setupOrderOf({ created: 1_700_000_000, id: 'seti_b' });
  const newer = setupOrderOf({ created: 1_800_000_000, id: 'seti_a' });
  const owner = (setupOrder: string) => ({ setupOrder, setupIntentId: 'seti_x', paymentMethodId: 'pm_x' });

  it('orders setups by when they succeeded, before creation time', () => {
    const openedFirstSavedLast = setupOrderOf({ created: 100, succeededAt: 300, id: 'seti_a' });
    const openedLaterSavedFirst = setupOrderOf({ created: 101, succeededAt: 200, id: 'seti_b' });
    expect(openedLaterSavedFirst < openedFirstSavedLast).toBe(true);
  });

  it('orders setups by creation time before id, across digit counts', () => {
    expect(older < newer).toBe(true);
    expect(setupOrderOf({ created: 999, id: 'seti_z' }) < setupOrderOf({ created: 1000, id: 'seti_a' })).toBe(
      true,
    );
  });

  it('a default nobody owns, or an older setup owns, is set', () => {
    expect(stepFor(undefined, older)).toBe('todo');
    expect(stepFor(owner(older), newer)).toBe('todo');
  });

  it('a default this setup already owns is not set again (the step checkpoint)', () => {
    expect(stepFor(owner(newer), newer)).toBe('already_applied');
  });

  it('a default a newer setup owns is left alone', () => {
    expect(stepFor(owner(newer), older)).toBe('superseded');
  });
});
