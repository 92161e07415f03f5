import { createHash } from 'node:crypto';
import { newId, nowSeconds } from './ids';
import type { StandInStore } from './store';
import type { PaymentMethodType, StoredPaymentMethod } from './types';

/** What every method Checkout saves starts with: Jenny Rosen's billing details, no customer yet. */
export function savedMethodBase(
  type: PaymentMethodType,
  livemode: boolean,
  email: string | null,
): StoredPaymentMethod {
  return {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email,
      name: 'Jenny Rosen',
      phone: null,
      tax_id: null,
    },
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode,
    metadata: {},
    type,
  };
}

/**
 * The bank debits Checkout setup mode offers (https://docs.stripe.com/payments/payment-methods/overview):
 * SEPA Debit (EUR) and US bank account (ACH). Their SetupIntent is `processing` (SEPA) or waits in
 * `requires_action` for micro-deposit verification (ACH) before the bank's answer settles it.
 * Test account numbers as Stripe documents them: https://docs.stripe.com/testing#sepa-direct-debit
 * (DE89370400440532013000 succeeds) and https://docs.stripe.com/testing#ach-direct-debit (000123456789).
 */
export function createBankPaymentMethod(
  store: StandInStore,
  type: 'sepa_debit' | 'us_bank_account',
  livemode: boolean,
  email: string | null,
): StoredPaymentMethod {
  const fingerprint = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);
  const paymentMethod: StoredPaymentMethod = {
    ...savedMethodBase(type, livemode, email),
    ...(type === 'sepa_debit'
      ? {
          sepa_debit: {
            bank_code: '37040044',
            branch_code: '',
            country: 'DE',
            fingerprint: fingerprint('DE89370400440532013000'),
            generated_from: { charge: null, setup_attempt: null },
            last4: '3000',
          },
        }
      : {
          us_bank_account: {
            account_holder_type: 'individual' as const,
            account_type: 'checking' as const,
            bank_name: 'STRIPE TEST BANK',
            financial_connections_account: null,
            fingerprint: fingerprint('110000000/000123456789'),
            last4: '6789',
            networks: { preferred: 'ach' as const, supported: ['ach'] as ['ach'] },
            routing_number: '110000000',
            status_details: null,
          },
        }),
  };
  store.paymentMethods.set(paymentMethod.id, paymentMethod);
  return paymentMethod;
}
