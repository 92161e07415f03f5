import { testCardFromNumber } from './cards';
import { invalidRequest, resourceMissing } from './errors';
import { sessionFromPath } from './resources/checkout-sessions';
import { checkAttachable, createCardPaymentMethod } from './resources/payment-methods';
import type { StandInStore } from './store';
import type { StoredCheckoutSession, StoredEvent, StoredPaymentMethod, StoredSetupIntent } from './types';
import { sendEvent, type WebhookDelivery } from './webhook-signing';

/** Stripe's generic-decline test card: completing with it changes nothing and reports the decline. */
export const DECLINED_TEST_CARD = '4000000000000002';
export const DEFAULT_TEST_CARD = '4242424242424242';

export interface CompleteSessionOptions<Card extends string = string> {
  /** Test card number; default 4242424242424242. Exactly `DECLINED_TEST_CARD` is declined. */
  card?: Card;
  /** Default 'succeeded'. */
  setupIntentStatus?: 'succeeded' | 'processing' | 'requires_action';
  /** Leave the SetupIntent and PaymentMethod without a customer even if the session has one. */
  withoutCustomer?: boolean;
  /** Webhook endpoint that receives the signed `checkout.session.completed` event. */
  deliverTo?: string;
}

export interface CompletedSession {
  declined: false;
  session: StoredCheckoutSession;
  setupIntent: StoredSetupIntent;
  paymentMethod: StoredPaymentMethod;
  event: StoredEvent;
  delivery?: WebhookDelivery;
}

export interface DeclinedSession {
  declined: true;
  code: 'card_declined';
  declineCode: 'generic_decline';
  message: string;
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
 * What a customer finishing a setup-mode Checkout page causes: a card PaymentMethod, the
 * SetupIntent confirmed with it (and attached to the session's customer, as Checkout does), the
 * session completed, and the events Stripe emits for that, `checkout.session.completed` last.
 */
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
  const card = testCardFromNumber(options.card ?? DEFAULT_TEST_CARD);
  // Only the exact number counts, so that `CompletionFor` can tell declines apart by type.
  if (options.card === DECLINED_TEST_CARD) {
    return {
      declined: true,
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: 'Your card was declined.',
    };
  }

  const customer =
    session.customer === null || options.withoutCustomer === true
      ? undefined
      : store.customers.get(session.customer);
  const paymentMethod = createCardPaymentMethod(store, card, session.livemode, {
    billing: { email: customer?.email ?? session.customer_email ?? 'customer@example.com' },
  });
  if (customer !== undefined) {
    checkAttachable(store, paymentMethod, customer.id);
    paymentMethod.customer = customer.id;
    store.recordEvent('payment_method.attached', paymentMethod, session.livemode);
  }

  const status = options.setupIntentStatus ?? 'succeeded';
  setupIntent.payment_method = paymentMethod.id;
  setupIntent.customer = customer?.id ?? null;
  setupIntent.status = status;
  setupIntent.next_action =
    status === 'requires_action' ? { type: 'use_stripe_sdk', use_stripe_sdk: {} } : null;
  if (status !== 'processing') store.recordEvent(`setup_intent.${status}`, setupIntent, session.livemode);

  session.status = 'complete';
  session.url = null;
  session.customer_details = {
    address: null,
    email: paymentMethod.billing_details.email,
    name: null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  const event = store.recordEvent('checkout.session.completed', session, session.livemode);
  const result: CompletedSession = { declined: false, session, setupIntent, paymentMethod, event };
  if (options.deliverTo !== undefined)
    result.delivery = await sendEvent(event, options.deliverTo, webhookSecret);
  return result;
}
