import { StripeRequestFailed } from '../errors';
import type { Logger } from '../logger';
import type {
  CheckoutSessionSnapshot,
  SetupMessage,
  SetupOutcome,
  SetupRecords,
  StripeGateway,
} from '../ports';

export interface ApplyDefaultPaymentMethodDeps {
  stripe: StripeGateway;
  records: SetupRecords;
  log: Logger;
}

export type ApplyResult = SetupOutcome | { status: 'already_finished' };

/** Another worker holds a live claim on the session: the message must come back later, not be dropped. */
export class SessionBusy extends Error {
  constructor(sessionId: string) {
    super(`Checkout Session ${sessionId} is being processed by another worker`);
    this.name = 'SessionBusy';
  }
}

/**
 * The worker's job for one completed setup: claim the session, read fresh state from Stripe, make the new
 * payment method the default for the customer's invoices and for the subscription, and record the outcome.
 * Transient failures release the claim and throw (the message is retried); permanent ones are recorded as
 * failed, so they are neither retried forever nor applied twice.
 */
export async function applyDefaultPaymentMethod(
  deps: ApplyDefaultPaymentMethodDeps,
  message: SetupMessage,
): Promise<ApplyResult> {
  const { records, log } = deps;
  const claim = await records.claim(message.sessionId, message.eventId);
  if (claim.outcome === 'finished') {
    log.info('session already finished; duplicate delivery dropped', { outcome: claim.record.status });
    return { status: 'already_finished' };
  }
  if (claim.outcome === 'busy') throw new SessionBusy(message.sessionId);

  let outcome: SetupOutcome;
  try {
    outcome = await resolveAndApply(deps.stripe, message.sessionId);
  } catch (error) {
    if (!(error instanceof StripeRequestFailed) || error.retryable) {
      await records.release(message.sessionId, claim.token);
      throw error;
    }
    outcome = {
      status: 'failed',
      ...(message.customerId ? { customerId: message.customerId } : {}),
      failureCode: error.stripeCode ?? error.kind,
      failureMessage: error.message,
    };
  }
  const recorded = await records.finish(message.sessionId, claim.token, outcome);
  if (!recorded) log.warn('claim expired before the outcome was recorded', { outcome: outcome.status });
  return outcome;
}

async function resolveAndApply(stripe: StripeGateway, sessionId: string): Promise<SetupOutcome> {
  const session = await stripe.retrieveSetupSession(sessionId);
  const plan = planDefaultPaymentMethod(session);
  if (plan.status !== 'apply') return plan.outcome;

  const { customerId, subscriptionId, paymentMethodId } = plan;
  // Checkout attaches the method itself when the session had a customer; only a customer-less
  // SetupIntent needs the explicit attach from the "Set up future payments" guide.
  if (plan.attach) await stripe.attachPaymentMethod(paymentMethodId, customerId);
  const updates = await Promise.allSettled([
    stripe.setCustomerDefaultPaymentMethod(customerId, paymentMethodId),
    subscriptionId ? stripe.setSubscriptionDefaultPaymentMethod(subscriptionId, paymentMethodId) : undefined,
  ]);
  throwWorstFailure(updates);
  return { status: 'applied', customerId, paymentMethodId, ...(subscriptionId ? { subscriptionId } : {}) };
}

export type DefaultPaymentMethodPlan =
  | { status: 'apply'; customerId: string; subscriptionId?: string; paymentMethodId: string; attach: boolean }
  | { status: 'skip'; outcome: SetupOutcome };

/** Pure decision over a session snapshot: what to change in Stripe, or why nothing should change. */
export function planDefaultPaymentMethod(session: CheckoutSessionSnapshot): DefaultPaymentMethodPlan {
  const intent = session.setupIntent;
  const customerId =
    intent?.customerId ?? intent?.metadata.customer_id ?? session.metadata.customer_id ?? session.customerId;
  const failed = (failureCode: string, failureMessage: string): DefaultPaymentMethodPlan => ({
    status: 'skip',
    outcome: { status: 'failed', ...(customerId ? { customerId } : {}), failureCode, failureMessage },
  });
  const pending = (setupIntentStatus: string): DefaultPaymentMethodPlan => ({
    status: 'skip',
    outcome: { status: 'pending', ...(customerId ? { customerId } : {}), setupIntentStatus },
  });

  if (session.mode !== 'setup') return failed('not_setup_mode', `Session mode is ${session.mode}.`);
  if (session.status === 'expired') return failed('session_expired', 'The Checkout Session expired.');
  if (!intent) return failed('setup_intent_missing', 'The session has no SetupIntent.');
  if (session.status !== 'complete') return pending(intent.status);
  if (intent.status === 'canceled') return failed('setup_intent_canceled', 'The SetupIntent was canceled.');
  if (intent.status !== 'succeeded') return pending(intent.status);
  if (!customerId)
    return failed('customer_unknown', 'Neither the SetupIntent nor its metadata names a customer.');
  const expected = intent.metadata.customer_id;
  if (expected && expected !== customerId) {
    return failed(
      'customer_mismatch',
      'The SetupIntent belongs to a different customer than its metadata names.',
    );
  }
  if (!intent.paymentMethod) return failed('payment_method_missing', 'The SetupIntent has no PaymentMethod.');
  const subscriptionId = intent.metadata.subscription_id;
  return {
    status: 'apply',
    customerId,
    paymentMethodId: intent.paymentMethod.id,
    attach: intent.customerId === null,
    ...(subscriptionId ? { subscriptionId } : {}),
  };
}

/** A transient failure wins over a permanent one: the retry may still succeed for both updates. */
function throwWorstFailure(results: PromiseSettledResult<unknown>[]) {
  const errors = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  const transient = errors.find((error) => !(error instanceof StripeRequestFailed) || error.retryable);
  if (transient !== undefined) throw transient;
  if (errors.length > 0) throw errors[0];
}
