import { createBankPaymentMethod } from './bank-debits';
import { setUpWithBankRedirect } from './bank-redirects';
import {
  DECLINED_NUMBER,
  REQUIRES_AUTHENTICATION_NUMBER,
  SUCCEEDING_TEST_CARD,
  testCardFromNumber,
} from './cards';
import { acceptMandate, createCheckoutMethod, DELAYED_METHODS, requireOffered } from './checkout-methods';
import { invalidRequest, resourceMissing } from './errors';
import { nowSeconds } from './ids';
import { sessionFromPath } from './resources/checkout-sessions';
import { checkAttachable, createCardPaymentMethod } from './resources/payment-methods';
import { newAttempt } from './setup-attempts';
import type { StandInStore } from './store';
import type {
  BankRedirectType,
  CheckoutMethodType,
  SetupError,
  StoredCheckoutSession,
  StoredEvent,
  StoredPaymentMethod,
  StoredSetupIntent,
} from './types';
import { sendEvent, type WebhookDelivery } from './webhook-signing';

/** Stripe's generic-decline test card: the attempt fails and the session stays open for another. */
export const DECLINED_TEST_CARD = DECLINED_NUMBER;
export const DEFAULT_TEST_CARD = SUCCEEDING_TEST_CARD;

export interface CompleteSessionOptions<Card extends string = string> {
  /** Test card number; default 4242424242424242. Exactly `DECLINED_TEST_CARD` is declined. */
  card?: Card;
  /**
   * A bank debit instead of a card: `processing` is SEPA Debit waiting for the bank, `requires_action` a US
   * bank account waiting for micro-deposit verification (`next_action.verify_with_microdeposits`). Either
   * way the session completes and `settleSetupIntent` later brings the bank's answer. Default: the card's own
   * outcome.
   */
  setupIntentStatus?: 'succeeded' | 'processing' | 'requires_action';
  /** The expiry and cardholder name typed on the hosted page; default 12 of three years on, no name. */
  expiry?: { month: number; year: number };
  cardholderName?: string;
  /**
   * A bank redirect instead of a card (EUR sessions only): the SetupIntent succeeds with the single-use
   * iDEAL/Bancontact/Sofort method, and Stripe attaches the SEPA Direct Debit method it generates.
   */
  bankRedirect?: BankRedirectType;
  /**
   * Link or PayPal (succeed at once), ACSS or Bacs Direct Debit (a mandate accepted, the SetupIntent
   * `processing` until `settleSetupIntent`), each only in the currencies Stripe offers it in.
   */
  method?: CheckoutMethodType;
  /** With 4000 0025 0000 3155: whether the customer completes the 3D Secure challenge; default yes. */
  authentication?: 'completed' | 'failed';
  /** Webhook endpoint that receives the signed `checkout.session.completed` event. */
  deliverTo?: string;
}

export interface CompletedSession {
  declined: false;
  session: StoredCheckoutSession;
  setupIntent: StoredSetupIntent;
  paymentMethod: StoredPaymentMethod;
  /** `checkout.session.completed`. */
  event: StoredEvent;
  /** Every event this completion caused, in the order Stripe created them. */
  events: StoredEvent[];
  delivery?: WebhookDelivery;
}

export interface DeclinedSession {
  declined: true;
  code: string;
  declineCode?: string;
  message: string;
  setupIntent: StoredSetupIntent;
  /** `setup_intent.setup_failed`. */
  event: StoredEvent;
}

export type CompleteSessionResult = CompletedSession | DeclinedSession;

/**
 * The result type for a given `card`: a literal decline card gives `DeclinedSession`, any other
 * literal (or no card) gives `CompletedSession`, and a card only known as `string` gives the union.
 */
export type CompletionFor<Card extends string> = typeof DECLINED_TEST_CARD extends Card
  ? [Card] extends [typeof DECLINED_TEST_CARD]
    ? DeclinedSession
    : CompleteSessionResult
  : CompletedSession;

/**
 * One customer's submission on a setup-mode Checkout page, and what Stripe records for it
 * (https://docs.stripe.com/payments/checkout/save-and-reuse, https://docs.stripe.com/api/events/types):
 * - a card that works: the PaymentMethod attached to the session's customer (`payment_method.attached`),
 *   a succeeded SetupAttempt, `setup_intent.succeeded`, the session complete (`checkout.session.completed`);
 * - a declined card: a failed SetupAttempt, the SetupIntent back in `requires_payment_method` with
 *   `last_setup_error` (`setup_intent.setup_failed`), the session still open for another attempt;
 * - a card that asks for authentication: `setup_intent.requires_action` first, then as above once the
 *   challenge is passed, or `setup_failed` (`setup_intent_authentication_failure`) if it is not;
 * - a bank debit: the session completes while the SetupIntent is still `processing`/`requires_action`.
 * A session without a customer leaves the SetupIntent and the PaymentMethod without one, as Stripe does.
 */
/** The session's `payment_method_data.allow_redisplay`, "set on the payment method on confirmation". */
function applyPaymentMethodData(
  store: StandInStore,
  session: StoredCheckoutSession,
  method: StoredPaymentMethod,
): void {
  const allowRedisplay = store.checkoutAllowRedisplay.get(session.id);
  if (allowRedisplay !== undefined) method.allow_redisplay = allowRedisplay;
}

export async function completeCheckoutSession(
  store: StandInStore,
  webhookSecret: string,
  sessionId: string,
  options: CompleteSessionOptions = {},
): Promise<CompleteSessionResult> {
  const session = sessionFromPath(store, sessionId);
  if (session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is no longer open (status: ${session.status}).`, {
      code: 'checkout_session_not_open',
    });
  }
  if (session.mode !== 'setup' || session.setup_intent === null) {
    throw invalidRequest(`The stand-in can only complete setup-mode sessions (this one is ${session.mode}).`);
  }
  const setupIntent = store.setupIntents.get(session.setup_intent);
  if (setupIntent === undefined) throw resourceMissing('setupintent', session.setup_intent, 'setup_intent');
  const customer = session.customer === null ? undefined : store.customers.get(session.customer);
  const email = customer?.email ?? session.customer_email ?? 'customer@example.com';
  const events: StoredEvent[] = [];
  const record = (type: string, object: object) => {
    events.push(store.recordEvent(type, object, session.livemode));
  };

  if (options.bankRedirect !== undefined) {
    const redirect = setUpWithBankRedirect(store, setupIntent, options.bankRedirect, session.currency, email);
    applyPaymentMethodData(store, session, redirect.generatedSepaDebit);
    setupIntent.payment_method = redirect.redirectMethod.id;
    setupIntent.last_setup_error = null;
    setupIntent.status = 'succeeded';
    setupIntent.next_action = null;
    if (customer !== undefined) {
      redirect.generatedSepaDebit.customer = customer.id;
      record('payment_method.attached', redirect.generatedSepaDebit);
    }
    record('setup_intent.succeeded', setupIntent);
    return finishSession(
      session,
      setupIntent,
      redirect.redirectMethod,
      events,
      record,
      options,
      webhookSecret,
    );
  }
  if (options.method !== undefined) {
    requireOffered(options.method, session.currency);
    const method = createCheckoutMethod(store, options.method, session.livemode, email);
    applyPaymentMethodData(store, session, method);
    const delayed = DELAYED_METHODS.includes(options.method);
    if (delayed) acceptMandate(store, setupIntent, method, store.acssMandateDefaultFor.get(session.id));
    const status = delayed ? 'processing' : 'succeeded';
    newAttempt(store, setupIntent, method, status, null);
    setupIntent.payment_method = method.id;
    setupIntent.last_setup_error = null;
    setupIntent.status = status;
    setupIntent.next_action = null;
    if (!delayed) {
      if (customer !== undefined) {
        method.customer = customer.id;
        record('payment_method.attached', method);
      }
      record('setup_intent.succeeded', setupIntent);
    }
    return finishSession(session, setupIntent, method, events, record, options, webhookSecret);
  }
  const bank = options.setupIntentStatus === 'processing' || options.setupIntentStatus === 'requires_action';
  const card = testCardFromNumber(options.card ?? DEFAULT_TEST_CARD);
  const paymentMethod = bank
    ? createBankPaymentMethod(
        store,
        options.setupIntentStatus === 'processing' ? 'sepa_debit' : 'us_bank_account',
        session.livemode,
        email,
      )
    : createCardPaymentMethod(store, card, session.livemode, {
        billing: { email, ...(options.cardholderName ? { name: options.cardholderName } : {}) },
        ...(options.expiry ? { expMonth: options.expiry.month, expYear: options.expiry.year } : {}),
      });

  applyPaymentMethodData(store, session, paymentMethod);

  if (!bank && card.number === REQUIRES_AUTHENTICATION_NUMBER) {
    setupIntent.status = 'requires_action';
    setupIntent.payment_method = paymentMethod.id;
    setupIntent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
    record('setup_intent.requires_action', setupIntent);
    setupIntent.next_action = null;
    if (options.authentication === 'failed') {
      return failAttempt(store, setupIntent, paymentMethod, record, {
        type: 'invalid_request_error',
        code: 'setup_intent_authentication_failure',
        message:
          'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
      });
    }
  }
  if (!bank && card.number === DECLINED_NUMBER) {
    return failAttempt(store, setupIntent, paymentMethod, record, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    });
  }

  const status = bank ? (options.setupIntentStatus ?? 'processing') : 'succeeded';
  newAttempt(store, setupIntent, paymentMethod, status, null);
  setupIntent.payment_method = paymentMethod.id;
  setupIntent.last_setup_error = null;
  setupIntent.status = status;
  setupIntent.next_action =
    status === 'requires_action'
      ? {
          type: 'verify_with_microdeposits',
          verify_with_microdeposits: {
            arrival_date: nowSeconds() + 2 * 24 * 60 * 60,
            hosted_verification_url: `https://payments.stripe.com/microdeposit/${setupIntent.id}`,
            microdeposit_type: 'descriptor_code',
          },
        }
      : null;
  if (status === 'succeeded') {
    if (customer !== undefined) {
      checkAttachable(store, paymentMethod, customer.id);
      paymentMethod.customer = customer.id;
      record('payment_method.attached', paymentMethod);
    }
    record('setup_intent.succeeded', setupIntent);
  } else if (status === 'requires_action') {
    record('setup_intent.requires_action', setupIntent);
  }

  return finishSession(session, setupIntent, paymentMethod, events, record, options, webhookSecret);
}

async function finishSession(
  session: StoredCheckoutSession,
  setupIntent: StoredSetupIntent,
  paymentMethod: StoredPaymentMethod,
  events: StoredEvent[],
  record: (type: string, object: object) => void,
  options: CompleteSessionOptions,
  webhookSecret: string,
): Promise<CompletedSession> {
  session.status = 'complete';
  session.url = null;
  session.customer_details = {
    address: null,
    business_name: null,
    email: paymentMethod.billing_details.email,
    individual_name: null,
    name: null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  record('checkout.session.completed', session);
  const event = events.at(-1) as StoredEvent;
  const result: CompletedSession = { declined: false, session, setupIntent, paymentMethod, event, events };
  if (options.deliverTo !== undefined)
    result.delivery = await sendEvent(event, options.deliverTo, webhookSecret);
  return result;
}

function failAttempt(
  store: StandInStore,
  setupIntent: StoredSetupIntent,
  paymentMethod: StoredPaymentMethod,
  record: (type: string, object: object) => void,
  error: SetupError,
): DeclinedSession {
  const setupError: SetupError = {
    ...error,
    payment_method: paymentMethod,
    payment_method_type: paymentMethod.type,
  };
  newAttempt(store, setupIntent, paymentMethod, 'failed', setupError);
  setupIntent.status = 'requires_payment_method';
  setupIntent.payment_method = null;
  setupIntent.next_action = null;
  setupIntent.last_setup_error = setupError;
  record('setup_intent.setup_failed', setupIntent);
  const event = [...store.events.values()].at(-1) as StoredEvent;
  return {
    declined: true,
    code: error.code ?? 'setup_failed',
    ...(error.decline_code ? { declineCode: error.decline_code } : {}),
    message: error.message ?? 'The payment method could not be set up.',
    setupIntent,
    event,
  };
}
