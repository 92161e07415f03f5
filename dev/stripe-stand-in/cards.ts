import { createHash } from 'node:crypto';
import type { CardDetails } from './types';

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';
  last4: string;
  funding: 'credit' | 'debit';
  /** The number without spaces, which decides how the card behaves. */
  number: string;
}

/**
 * Stripe's test cards (https://docs.stripe.com/testing#cards, #declined-payments, #authentication-and-setup):
 * 4242… succeeds; 4000 0000 0000 0002 is declined (`card_declined`, `generic_decline`); 4000 0000 0000 0341
 * can be saved, but charging it fails; 4000 0025 0000 3155 asks for authentication when it is set up, and
 * then succeeds off-session.
 */
export const SUCCEEDING_TEST_CARD = '4242424242424242';
export const DECLINED_NUMBER = '4000000000000002';
export const FAILS_WHEN_CHARGED_NUMBER = '4000000000000341';
export const REQUIRES_AUTHENTICATION_NUMBER = '4000002500003155';
const DEBIT_NUMBERS = new Set(['4000056655665556', '5200828282828210']);

/** Test card tokens Stripe accepts in test mode, mapped to the card number they stand for. */
export const TEST_TOKENS: Readonly<Record<string, string>> = {
  tok_visa: '4242424242424242',
  tok_visa_debit: '4000056655665556',
  tok_mastercard: '5555555555554444',
  tok_mastercard_debit: '5200828282828210',
  tok_amex: '378282246310005',
  tok_discover: '6011111111111117',
  tok_chargeDeclined: DECLINED_NUMBER,
  tok_chargeCustomerFail: FAILS_WHEN_CHARGED_NUMBER,
};

/** Stripe's `pm_card_*` test PaymentMethods: attaching one yields a fresh PaymentMethod. */
export const TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_discover: '6011111111111117',
  pm_card_chargeDeclined: DECLINED_NUMBER,
  pm_card_chargeCustomerFail: FAILS_WHEN_CHARGED_NUMBER,
};

function brandOf(number: string): TestCard['brand'] {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6(011|5)/.test(number)) return 'discover';
  return 'unknown';
}

export function testCardFromNumber(rawNumber: string): TestCard {
  const number = rawNumber.replace(/[\s-]/g, '');
  return {
    brand: brandOf(number),
    last4: number.slice(-4),
    funding: DEBIT_NUMBERS.has(number) ? 'debit' : 'credit',
    number,
  };
}

export function cardDetails(
  card: TestCard,
  expMonth = 12,
  expYear = new Date().getUTCFullYear() + 3,
): CardDetails {
  return {
    brand: card.brand,
    display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
    last4: card.last4,
    exp_month: expMonth,
    exp_year: expYear,
    country: 'US',
    funding: card.funding,
    // Same card number → same fingerprint, which is how integrators detect duplicate cards.
    fingerprint: createHash('sha256').update(`${card.brand}${card.last4}`).digest('base64url').slice(0, 16),
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    networks: { available: [card.brand], preferred: null },
    three_d_secure_usage: { supported: true },
    wallet: null,
    generated_from: null,
    regulated_status: 'unregulated',
  };
}
