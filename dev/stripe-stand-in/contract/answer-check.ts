import type { ErrorObject } from 'ajv';
import { answerErrors, type ContractName } from './schema-validator';

/**
 * Answers that broke the contract since the last `takeContractViolations()`. A field Stripe does not have,
 * a required one missing or a value of the wrong type is a bug in the stand-in, never the client's: the
 * stand-in answers 500 for it and records it here, and every test file fails in `afterAll` when any is left
 * (test/support/stand-in-contract.ts), so none can be swallowed by a client's retries.
 */
const violations: string[] = [];

function describeErrors(errors: readonly ErrorObject[]): string {
  const shown = errors.slice(0, 8).map((error) => {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String(error.params.additionalProperty)})`
        : error.keyword === 'required'
          ? ` (${String(error.params.missingProperty)})`
          : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
  const more = errors.length > shown.length ? `; … ${errors.length - shown.length} more` : '';
  return shown.join('; ') + more;
}

/**
 * Checks `body` against the pinned SDK's declaration of `name`. Returns the violation (also recorded) or
 * undefined when the body is what Stripe would send.
 */
export function answerViolation(name: ContractName, body: unknown, context: string): string | undefined {
  // A union is reported against the member the body claims to be, not every member at once.
  if (name === 'CustomerOrDeleted') {
    name = (body as { deleted?: unknown }).deleted === true ? 'DeletedCustomer' : 'Customer';
  }
  const errors = answerErrors(name, body);
  if (errors === undefined) return undefined;
  const violation = `${context}: answer is not a Stripe ${name} as the pinned SDK declares it: ${describeErrors(errors)}`;
  violations.push(violation);
  console.error(`[stripe-stand-in] contract violation: ${violation}`);
  return violation;
}

/** The SDK's declaration of each event type the stand-in records (`Stripe.<Type>Event` in Events.d.ts). */
const EVENT_CONTRACTS: Readonly<Record<string, ContractName>> = {
  'checkout.session.completed': 'CheckoutSessionCompletedEvent',
  'checkout.session.expired': 'CheckoutSessionExpiredEvent',
  'setup_intent.created': 'SetupIntentCreatedEvent',
  'setup_intent.requires_action': 'SetupIntentRequiresActionEvent',
  'setup_intent.setup_failed': 'SetupIntentSetupFailedEvent',
  'setup_intent.succeeded': 'SetupIntentSucceededEvent',
  'payment_method.attached': 'PaymentMethodAttachedEvent',
  'invoice.paid': 'InvoicePaidEvent',
  'invoice.payment_failed': 'InvoicePaymentFailedEvent',
  'invoice.updated': 'InvoiceUpdatedEvent',
  'invoice.created': 'InvoiceCreatedEvent',
  'invoice.finalized': 'InvoiceFinalizedEvent',
  'invoice.payment_succeeded': 'InvoicePaymentSucceededEvent',
  'invoice.upcoming': 'InvoiceUpcomingEvent',
  'invoice.voided': 'InvoiceVoidedEvent',
  'invoice.marked_uncollectible': 'InvoiceMarkedUncollectibleEvent',
  'customer.subscription.created': 'CustomerSubscriptionCreatedEvent',
  'customer.subscription.updated': 'CustomerSubscriptionUpdatedEvent',
  'customer.subscription.deleted': 'CustomerSubscriptionDeletedEvent',
  'customer.subscription.paused': 'CustomerSubscriptionPausedEvent',
  'customer.subscription.resumed': 'CustomerSubscriptionResumedEvent',
  'customer.subscription.trial_will_end': 'CustomerSubscriptionTrialWillEndEvent',
  'test_helpers.test_clock.created': 'TestHelpersTestClockCreatedEvent',
  'test_helpers.test_clock.advancing': 'TestHelpersTestClockAdvancingEvent',
  'test_helpers.test_clock.ready': 'TestHelpersTestClockReadyEvent',
  'test_helpers.test_clock.internal_failure': 'TestHelpersTestClockInternalFailureEvent',
  'test_helpers.test_clock.deleted': 'TestHelpersTestClockDeletedEvent',
  'customer.updated': 'CustomerUpdatedEvent',
  'customer.deleted': 'CustomerDeletedEvent',
  'payment_method.detached': 'PaymentMethodDetachedEvent',
  'payment_method.automatically_updated': 'PaymentMethodAutomaticallyUpdatedEvent',
  'mandate.updated': 'MandateUpdatedEvent',
  'invoice.payment_action_required': 'InvoicePaymentActionRequiredEvent',
};

/** Checks an event against its own type's declaration (an unlisted type against the union, which fails). */
export function eventViolation(event: { type: string }, context: string): string | undefined {
  return answerViolation(EVENT_CONTRACTS[event.type] ?? 'Event', event, context);
}

/** Returns and forgets the violations recorded so far. */
export function takeContractViolations(): string[] {
  return violations.splice(0, violations.length);
}
