import { invalidRequest, resourceMissing } from './errors';
import type { StandInStore } from './store';
import type { StoredEvent, StoredSetupIntent } from './types';
import { sendEvent, type WebhookDelivery } from './webhook-signing';

export interface SettleSetupIntentOptions {
  /** Webhook endpoint that receives the signed `setup_intent.succeeded` / `setup_intent.setup_failed`. */
  deliverTo?: string;
  /**
   * `last_setup_error.code` of a failed debit; default `debit_not_authorized`. null leaves it out: every
   * field of `SetupIntent.LastSetupError` is optional in the SDK's declarations.
   */
  failureCode?: string | null;
  /** `last_setup_error.decline_code`, when the bank gave one. */
  declineCode?: string;
}

export interface SettledSetupIntent {
  setupIntent: StoredSetupIntent;
  event: StoredEvent;
  delivery?: WebhookDelivery;
}

/**
 * What the bank does, days later, to a delayed payment method (SEPA Debit, Bacs, ACSS, US bank account):
 * a `processing` SetupIntent either succeeds, or fails and returns to `requires_payment_method` with a
 * `last_setup_error`, as Stripe reports it.
 */
export async function settleSetupIntent(
  store: StandInStore,
  webhookSecret: string,
  setupIntentId: string,
  outcome: 'succeeded' | 'failed',
  options: SettleSetupIntentOptions = {},
): Promise<SettledSetupIntent> {
  const setupIntent = store.setupIntents.get(setupIntentId);
  if (setupIntent === undefined) throw resourceMissing('setup_intent', setupIntentId, 'intent');
  if (setupIntent.status !== 'processing' && setupIntent.status !== 'requires_action') {
    throw invalidRequest(`Only a processing SetupIntent can be settled (this one is ${setupIntent.status}).`);
  }
  setupIntent.next_action = null;
  const attempt = setupIntent.latest_attempt
    ? store.setupAttempts.get(setupIntent.latest_attempt)
    : undefined;
  const paymentMethod = setupIntent.payment_method
    ? store.paymentMethods.get(setupIntent.payment_method)
    : undefined;
  const mandate = setupIntent.mandate === null ? undefined : store.mandates.get(setupIntent.mandate);
  if (mandate !== undefined) {
    // The bank's answer settles the mandate the customer accepted (Mandates.d.ts `status`; Bacs `network_status`).
    mandate.status = outcome === 'succeeded' ? 'active' : 'inactive';
    const bacs = mandate.payment_method_details.bacs_debit;
    if (bacs) bacs.network_status = outcome === 'succeeded' ? 'accepted' : 'refused';
  }
  if (outcome === 'succeeded') {
    setupIntent.status = 'succeeded';
    if (attempt) attempt.status = 'succeeded';
    // Stripe attaches the method to the SetupIntent's customer once the setup succeeds.
    if (paymentMethod && setupIntent.customer && paymentMethod.customer === null) {
      paymentMethod.customer = setupIntent.customer;
      store.recordEvent('payment_method.attached', paymentMethod, setupIntent.livemode);
    }
  } else {
    if (attempt) attempt.status = 'failed';
    setupIntent.payment_method = null;
    setupIntent.status = 'requires_payment_method';
    const code = options.failureCode === undefined ? 'debit_not_authorized' : options.failureCode;
    setupIntent.last_setup_error = {
      type: 'invalid_request_error',
      ...(code === null ? {} : { code }),
      ...(options.declineCode === undefined ? {} : { decline_code: options.declineCode }),
      message: 'The customer’s bank did not authorise the debit.',
    };
  }
  const type = outcome === 'succeeded' ? 'setup_intent.succeeded' : 'setup_intent.setup_failed';
  const event = store.recordEvent(type, setupIntent, setupIntent.livemode);
  const result: SettledSetupIntent = { setupIntent, event };
  if (options.deliverTo !== undefined)
    result.delivery = await sendEvent(event, options.deliverTo, webhookSecret);
  return result;
}
