import { createBankPaymentMethod } from './bank-debits';
import { invalidRequest } from './errors';
import { newAttempt } from './setup-attempts';
import type { StandInStore } from './store';
import type { BankRedirectType, StoredPaymentMethod, StoredSetupAttempt, StoredSetupIntent } from './types';

/**
 * iDEAL, Bancontact and Sofort in setup mode (https://docs.stripe.com/payments/ideal/set-up-payment, and the
 * Bancontact and Sofort pages alike): the customer authorises a payment in their bank, the SetupIntent carries
 * that single-use method, and the reusable method is a SEPA Direct Debit PaymentMethod Stripe generates and
 * attaches to the customer, named by `SetupAttempt.payment_method_details.<type>.generated_sepa_debit`
 * (SetupAttempts.d.ts). Offered only in EUR.
 */
export interface BankRedirectSetup {
  redirectMethod: StoredPaymentMethod;
  generatedSepaDebit: StoredPaymentMethod;
  attempt: StoredSetupAttempt;
}

function redirectMethod(
  store: StandInStore,
  type: BankRedirectType,
  livemode: boolean,
  email: string | null,
): StoredPaymentMethod {
  const method = createBankPaymentMethod(store, 'sepa_debit', livemode, email);
  delete method.sepa_debit;
  method.type = type;
  if (type === 'ideal') method.ideal = { bank: 'ing', bic: 'INGBNL2A' };
  if (type === 'bancontact') method.bancontact = {};
  if (type === 'sofort') method.sofort = { country: 'DE' };
  return method;
}

function redirectDetails(type: BankRedirectType, generated: string) {
  const common = {
    bic: type === 'ideal' ? 'INGBNL2A' : 'GENODEF1ABC',
    generated_sepa_debit: generated,
    generated_sepa_debit_mandate: null,
    iban_last4: '3000',
    verified_name: 'Jenny Rosen',
  };
  if (type === 'ideal') return { type, ideal: { bank: 'ing', ...common } };
  const bank = { bank_code: '37040044', bank_name: 'Commerzbank', preferred_language: 'en', ...common };
  return type === 'bancontact' ? { type, bancontact: bank } : { type, sofort: bank };
}

export function setUpWithBankRedirect(
  store: StandInStore,
  setupIntent: StoredSetupIntent,
  type: BankRedirectType,
  currency: string | null,
  email: string | null,
): BankRedirectSetup {
  if (currency !== 'eur') {
    throw invalidRequest(
      `${type} is offered only in EUR sessions (this one is ${currency ?? 'without a currency'}).`,
    );
  }
  const redirect = redirectMethod(store, type, setupIntent.livemode, email);
  const generated = createBankPaymentMethod(store, 'sepa_debit', setupIntent.livemode, email);
  const attempt = newAttempt(store, setupIntent, redirect, 'succeeded', null);
  attempt.payment_method_details = redirectDetails(type, generated.id);
  if (generated.sepa_debit !== undefined) generated.sepa_debit.generated_from.setup_attempt = attempt.id;
  return { redirectMethod: redirect, generatedSepaDebit: generated, attempt };
}
