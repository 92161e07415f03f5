import { expiresBefore, methodThatPays } from '../../functions/shared/flow/recovery/charge-order';
import type { Payer } from '../../functions/shared/recovery-ports';

// Oracle: Subscriptions.d.ts (`default_payment_method` "takes precedence over default_source. If neither are
// set, invoices will use the customer's invoice_settings.default_payment_method or default_source") and the
// Card object's exp_month/exp_year (https://docs.stripe.com/api/cards/object): valid through the month's end.
describe('Stripe’s charge order', () => {
  const payer = (id: string, source: Payer['source']): Payer => ({ id, source });

  it('the subscription’s own default wins over everything on the customer', () => {
    const payers = [
      payer('card_cust', 'customer.default_source'),
      payer('pm_cust', 'customer.invoice_settings.default_payment_method'),
      payer('pm_sub', 'subscription.default_payment_method'),
    ];
    expect(methodThatPays(payers)?.id).toBe('pm_sub');
  });

  it('a subscription’s default_source comes before the customer’s invoice default', () => {
    const payers = [
      payer('pm_cust', 'customer.invoice_settings.default_payment_method'),
      payer('card_sub', 'subscription.default_source'),
    ];
    expect(methodThatPays(payers)?.id).toBe('card_sub');
  });

  it('with nothing set, nothing pays', () => {
    expect(methodThatPays([])).toBeUndefined();
  });
});

describe('card expiry against the charge date', () => {
  const charge = Date.UTC(2027, 2, 1, 0, 0, 0) / 1000; // 1 March 2027, 00:00 UTC

  it('a card expiring in February (valid through 28 February) cannot pay on 1 March', () => {
    expect(expiresBefore({ expMonth: 2, expYear: 2027 }, charge)).toBe(true);
  });

  it('a card expiring in March can still pay on 1 March', () => {
    expect(expiresBefore({ expMonth: 3, expYear: 2027 }, charge)).toBe(false);
  });

  it('December rolls over into January of the next year', () => {
    expect(expiresBefore({ expMonth: 12, expYear: 2026 }, Date.UTC(2026, 11, 31, 23, 59) / 1000)).toBe(false);
    expect(expiresBefore({ expMonth: 12, expYear: 2026 }, Date.UTC(2027, 0, 1) / 1000)).toBe(true);
  });
});
