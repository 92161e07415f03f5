import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { savedMethodBase } from './bank-debits';
import { invalidRequest } from './errors';
import { newId, nowSeconds } from './ids';
import type { StandInStore } from './store';
import type { CheckoutMethodType, StoredPaymentMethod, StoredSetupIntent } from './types';

/**
 * Other methods Checkout saves in setup mode, each offered only in the currencies Stripe offers it in:
 * - Link (https://docs.stripe.com/payments/link/checkout-link): the customer's Link account, known by its email
 *   (`PaymentMethod.Link.email`); it succeeds at once.
 * - PayPal (https://docs.stripe.com/payments/paypal/set-up-future-payments): EUR, GBP, USD, CHF, CZK, DKK, NOK,
 *   PLN, SEK; known by the payer's email (`PaymentMethod.Paypal.payer_email`); succeeds at once.
 * - ACSS Debit, Canadian pre-authorized debits (https://docs.stripe.com/payments/acss-debit/set-up-payment): CAD
 *   or USD; the customer accepts a mandate (Mandates.d.ts `PaymentMethodDetails.AcssDebit`, `default_for` as the
 *   session's `payment_method_options.acss_debit.mandate_options.default_for` asked) and the SetupIntent is
 *   `processing` until the bank confirms (`settleSetupIntent`).
 * - Bacs Direct Debit (https://docs.stripe.com/payments/bacs-debit/set-up-payment): GBP; a mandate whose
 *   `network_status` is `pending` until Bacs accepts it, the SetupIntent `processing` meanwhile.
 */
const OFFERED_IN: Record<CheckoutMethodType, readonly string[] | 'any'> = {
  link: 'any',
  paypal: ['eur', 'gbp', 'usd', 'chf', 'czk', 'dkk', 'nok', 'pln', 'sek'],
  acss_debit: ['cad', 'usd'],
  bacs_debit: ['gbp'],
};

export const DELAYED_METHODS: readonly CheckoutMethodType[] = ['acss_debit', 'bacs_debit'];

const fingerprint = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

function methodDetails(type: CheckoutMethodType, email: string | null): Partial<StoredPaymentMethod> {
  switch (type) {
    case 'link':
      return { link: { email } };
    case 'paypal':
      return { paypal: { country: 'DE', payer_email: email, payer_id: 'STANDINPAYER1' } };
    case 'acss_debit':
      return {
        acss_debit: {
          bank_name: 'STRIPE TEST BANK',
          fingerprint: fingerprint('000/11000/000123456789'),
          institution_number: '000',
          last4: '6789',
          transit_number: '11000',
        },
      };
    case 'bacs_debit':
      return {
        bacs_debit: { fingerprint: fingerprint('108800/00012345'), last4: '2345', sort_code: '108800' },
      };
  }
}

export function requireOffered(type: CheckoutMethodType, currency: string | null): void {
  const offered = OFFERED_IN[type];
  if (offered === 'any' || (currency !== null && offered.includes(currency))) return;
  throw invalidRequest(
    `${type} is not offered in ${currency ?? 'a session without a currency'} (only ${offered.join(', ')}).`,
  );
}

export function createCheckoutMethod(
  store: StandInStore,
  type: CheckoutMethodType,
  livemode: boolean,
  email: string | null,
): StoredPaymentMethod {
  const method: StoredPaymentMethod = {
    ...savedMethodBase(type, livemode, email),
    ...methodDetails(type, email),
  };
  store.paymentMethods.set(method.id, method);
  return method;
}

/** The mandate a bank debit's customer accepts in Checkout, named by the SetupIntent's `mandate`. */
export function acceptMandate(
  store: StandInStore,
  setupIntent: StoredSetupIntent,
  method: StoredPaymentMethod,
  acssDefaultFor: readonly string[] | undefined,
): Stripe.Mandate {
  const details: Stripe.Mandate.PaymentMethodDetails =
    method.type === 'acss_debit'
      ? {
          type: 'acss_debit',
          acss_debit: {
            ...(acssDefaultFor && acssDefaultFor.length > 0 ? { default_for: [...acssDefaultFor] } : {}),
            interval_description: null,
            payment_schedule: 'sporadic',
            transaction_type: 'personal',
          },
        }
      : {
          type: 'bacs_debit',
          bacs_debit: {
            display_name: null,
            network_status: 'pending',
            reference: `STANDIN${randomReference()}`,
            revocation_reason: null,
            service_user_number: null,
            url: 'https://payments.stripe.com/bacs/mandate',
          },
        };
  const mandate = {
    id: newId('mandate'),
    object: 'mandate',
    customer_acceptance: {
      accepted_at: nowSeconds(),
      online: { ip_address: '127.0.0.1', user_agent: 'stripe-stand-in' },
      type: 'online',
    },
    livemode: method.livemode,
    multi_use: {},
    payment_method: method.id,
    payment_method_details: details,
    status: 'pending',
    type: 'multi_use',
  } as Stripe.Mandate;
  store.mandates.set(mandate.id, mandate);
  setupIntent.mandate = mandate.id;
  return mandate;
}

function randomReference(): string {
  return fingerprint(String(Math.random()))
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 10)
    .toUpperCase();
}
