import { StripeRequestFailed } from '../../functions/shared/errors';
import { methodMismatch } from '../../functions/shared/flow/method-fit';
import { followAndDetach, splitByFit } from '../../functions/shared/flow/subscription-defaults';
import type { Logger } from '../../functions/shared/logger';
import type { SetupRecords, StripeGateway, SubscriptionDefault } from '../../functions/shared/ports';

// Oracles: Subscriptions.d.ts `payment_settings.payment_method_types` (the types "to provide to the invoice's
// PaymentIntent") and the currencies of each bank debit (https://docs.stripe.com/payments/payment-methods/overview):
// SEPA Direct Debit EUR, ACH USD, Canadian PAD CAD and USD, Bacs GBP, BECS AUD; cards any currency.
describe('which method can pay which subscription', () => {
  it.each([
    ['sepa_debit', 'eur', null, undefined],
    ['sepa_debit', 'usd', null, 'currency_not_supported'],
    ['us_bank_account', 'eur', null, 'currency_not_supported'],
    ['us_bank_account', 'usd', null, undefined],
    ['acss_debit', 'cad', null, undefined],
    ['acss_debit', 'usd', null, undefined],
    ['acss_debit', 'eur', null, 'currency_not_supported'],
    ['bacs_debit', 'gbp', null, undefined],
    ['bacs_debit', 'eur', null, 'currency_not_supported'],
    ['card', 'jpy', null, undefined],
    ['card', 'eur', ['sepa_debit'], 'payment_method_type_not_allowed'],
    ['sepa_debit', 'eur', ['sepa_debit', 'card'], undefined],
  ] as const)('%s on a %s subscription limited to %j: %s', (type, currency, types, expected) => {
    expect(methodMismatch(type, { currency, paymentMethodTypes: types })).toBe(expected);
  });

  it('a method of unknown type is left to Stripe', () => {
    expect(
      methodMismatch(undefined, { currency: 'eur', paymentMethodTypes: ['sepa_debit'] }),
    ).toBeUndefined();
  });

  it('splitByFit keeps what fits and names the rest with why', () => {
    const subs: SubscriptionDefault[] = [
      {
        id: 'sub_eur',
        status: 'active',
        defaultPaymentMethodId: 'pm_old',
        currency: 'eur',
        paymentMethodTypes: null,
      },
      {
        id: 'sub_usd',
        status: 'active',
        defaultPaymentMethodId: 'pm_old',
        currency: 'usd',
        paymentMethodTypes: null,
      },
    ];
    expect(splitByFit({ paymentMethodId: 'pm_ach', paymentMethodType: 'us_bank_account' }, subs)).toEqual({
      fit: [subs[1]],
      skipped: [{ id: 'sub_eur', reason: 'currency_not_supported' }],
    });
  });
});

describe('a follower Stripe refuses is reported, not dropped', () => {
  const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger;
  const records = {} as SetupRecords;
  const stripe = {} as StripeGateway;

  it('the refusal’s code is in subscriptionsSkipped; the others still move', async () => {
    const followers: SubscriptionDefault[] = [
      { id: 'sub_a', status: 'active', defaultPaymentMethodId: 'pm_old' },
      { id: 'sub_b', status: 'active', defaultPaymentMethodId: 'pm_old' },
    ];
    const setDefault = jest.fn(async ({ id }: { id: string }) => {
      // Stripe answers 400 for a subscription canceled since it was listed (Subscriptions.d.ts `update`).
      if (id === 'sub_a') throw new StripeRequestFailed('invalid_request', 'canceled', 'resource_missing');
      return 'applied' as const;
    });
    const result = await followAndDetach(
      { records, log, stripe },
      { customerId: 'cus_1', paymentMethodId: 'pm_new' },
      {
        listing: { subscriptions: followers, customerDefault: 'pm_old' },
        replaced: 'pm_old',
        followers,
        skipped: [],
        followerOwners: Promise.resolve(new Map()),
      },
      { setupOrder: '1', setupIntentId: 'seti_1', paymentMethodId: 'pm_new' },
      undefined,
      setDefault,
    );
    expect(result).toEqual({
      subscriptionsMoved: ['sub_b'],
      subscriptionsSkipped: [{ id: 'sub_a', reason: 'resource_missing' }],
    });
  });
});
