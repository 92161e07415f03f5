import { newId, nowSeconds } from './ids';
import type { StandInStore } from './store';
import type { SetupError, StoredPaymentMethod, StoredSetupAttempt, StoredSetupIntent } from './types';

/** `SetupAttempt.PaymentMethodDetails` (SetupAttempts.d.ts): a card attempt repeats the card's facts. */
function attemptDetails(paymentMethod: StoredPaymentMethod): StoredSetupAttempt['payment_method_details'] {
  const card = paymentMethod.card;
  if (card === undefined || card === null) return { type: paymentMethod.type, [paymentMethod.type]: {} };
  return {
    type: 'card',
    card: {
      brand: card.brand,
      checks: card.checks,
      country: card.country,
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      funding: card.funding,
      last4: card.last4,
      network: card.brand,
      three_d_secure: null,
      wallet: null,
    },
  };
}

/** Records a SetupAttempt and makes it the SetupIntent's `latest_attempt`. */
export function newAttempt(
  store: StandInStore,
  setupIntent: StoredSetupIntent,
  paymentMethod: StoredPaymentMethod,
  status: StoredSetupAttempt['status'],
  setupError: SetupError | null,
): StoredSetupAttempt {
  const attempt: StoredSetupAttempt = {
    id: newId('setatt'),
    object: 'setup_attempt',
    application: null,
    created: nowSeconds(),
    customer: setupIntent.customer,
    customer_account: null,
    flow_directions: null,
    livemode: setupIntent.livemode,
    on_behalf_of: null,
    payment_method: paymentMethod.id,
    payment_method_details: attemptDetails(paymentMethod),
    setup_error: setupError,
    setup_intent: setupIntent.id,
    status,
    usage: 'off_session',
  };
  store.setupAttempts.set(attempt.id, attempt);
  setupIntent.latest_attempt = attempt.id;
  return attempt;
}
