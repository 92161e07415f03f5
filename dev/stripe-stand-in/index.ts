/**
 * A stateful, Stripe-compatible HTTP server for tests and the offline dev stack. The official SDK
 * reaches it with `new Stripe('sk_test_...', standIn.sdkOptions)`.
 */
export type { StandInRequestLogEntry } from './api-pipeline';
export {
  type CompletedSession,
  type CompleteSessionOptions,
  type CompleteSessionResult,
  type CompletionFor,
  DECLINED_TEST_CARD,
  DEFAULT_TEST_CARD,
  type DeclinedSession,
} from './checkout-completion';
export type { ActiveFault, FaultInjector, FaultSpec, FaultStatus } from './faults';
export type { SettledSetupIntent, SettleSetupIntentOptions } from './setup-intent-settlement';
export { type StripeStandIn, type StripeStandInOptions, startStripeStandIn } from './stand-in';
export type { StandInStore } from './store';
export type * from './types';
export { sendEvent, signPayload, type WebhookDelivery } from './webhook-signing';
