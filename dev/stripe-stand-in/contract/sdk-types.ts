/**
 * The pinned SDK's declarations the stand-in's contract is generated from (`npm run stripe-schemas` →
 * `stripe-schemas.json`). Each property of `StandInContract` names one request's parameters or one answer's
 * shape as the SDK declares it (`node_modules/stripe/cjs/resources/*.d.ts`, which Stripe generates from its
 * OpenAPI spec for the pinned API version). Only what the stand-in serves is listed, so generation stays fast.
 */
import type Stripe from 'stripe';

/** The event types the stand-in records; each declares the object its `data.object` carries. */
export type StandInEvent =
  | Stripe.CheckoutSessionCompletedEvent
  | Stripe.CheckoutSessionExpiredEvent
  | Stripe.SetupIntentCreatedEvent
  | Stripe.SetupIntentRequiresActionEvent
  | Stripe.SetupIntentSetupFailedEvent
  | Stripe.SetupIntentSucceededEvent
  | Stripe.PaymentMethodAttachedEvent
  | Stripe.InvoicePaidEvent
  | Stripe.InvoicePaymentFailedEvent
  | Stripe.InvoiceUpdatedEvent
  | Stripe.InvoiceCreatedEvent
  | Stripe.InvoiceFinalizedEvent
  | Stripe.InvoicePaymentSucceededEvent
  | Stripe.InvoiceUpcomingEvent
  | Stripe.InvoiceVoidedEvent
  | Stripe.InvoiceMarkedUncollectibleEvent
  | Stripe.CustomerSubscriptionCreatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent
  | Stripe.CustomerSubscriptionPausedEvent
  | Stripe.CustomerSubscriptionResumedEvent
  | Stripe.CustomerSubscriptionTrialWillEndEvent
  | Stripe.TestHelpersTestClockCreatedEvent
  | Stripe.TestHelpersTestClockAdvancingEvent
  | Stripe.TestHelpersTestClockReadyEvent
  | Stripe.TestHelpersTestClockInternalFailureEvent
  | Stripe.TestHelpersTestClockDeletedEvent
  | Stripe.CustomerUpdatedEvent
  | Stripe.CustomerDeletedEvent
  | Stripe.PaymentMethodDetachedEvent
  | Stripe.PaymentMethodAutomaticallyUpdatedEvent
  | Stripe.MandateUpdatedEvent
  | Stripe.InvoicePaymentActionRequiredEvent;

/** Every API error's body (https://docs.stripe.com/api/errors). */
export interface StandInErrorBody {
  /** Less what the SDK adds after parsing (`headers`, `statusCode`, `requestId`, …): not in the body. */
  error: Omit<Stripe.StripeRawError, 'headers' | 'statusCode' | 'requestId' | 'detail' | 'exception'>;
}

export interface StandInContract {
  // Requests: the parameters of each route the stand-in serves (`ApiRoute.contract.params`).
  CustomerCreateParams: Stripe.CustomerCreateParams;
  CustomerRetrieveParams: Stripe.CustomerRetrieveParams;
  CustomerUpdateParams: Stripe.CustomerUpdateParams;
  CustomerDeleteParams: Stripe.CustomerDeleteParams;
  CustomerListParams: Stripe.CustomerListParams;
  CustomerListPaymentMethodsParams: Stripe.CustomerListPaymentMethodsParams;
  CustomerRetrievePaymentMethodParams: Stripe.CustomerRetrievePaymentMethodParams;
  CustomerCreateSourceParams: Stripe.CustomerCreateSourceParams;
  EventRetrieveParams: Stripe.EventRetrieveParams;
  EventListParams: Stripe.EventListParams;
  InvoiceRetrieveParams: Stripe.InvoiceRetrieveParams;
  InvoicePayParams: Stripe.InvoicePayParams;
  InvoiceListParams: Stripe.InvoiceListParams;
  MandateRetrieveParams: Stripe.MandateRetrieveParams;
  TestClockCreateParams: Stripe.TestHelpers.TestClockCreateParams;
  TestClockRetrieveParams: Stripe.TestHelpers.TestClockRetrieveParams;
  TestClockListParams: Stripe.TestHelpers.TestClockListParams;
  TestClockAdvanceParams: Stripe.TestHelpers.TestClockAdvanceParams;
  TestClockDeleteParams: Stripe.TestHelpers.TestClockDeleteParams;
  PaymentMethodCreateParams: Stripe.PaymentMethodCreateParams;
  PaymentMethodRetrieveParams: Stripe.PaymentMethodRetrieveParams;
  PaymentMethodUpdateParams: Stripe.PaymentMethodUpdateParams;
  PaymentMethodListParams: Stripe.PaymentMethodListParams;
  PaymentMethodAttachParams: Stripe.PaymentMethodAttachParams;
  PaymentMethodDetachParams: Stripe.PaymentMethodDetachParams;
  SetupIntentRetrieveParams: Stripe.SetupIntentRetrieveParams;
  SetupIntentListParams: Stripe.SetupIntentListParams;
  SetupIntentCancelParams: Stripe.SetupIntentCancelParams;
  CheckoutSessionCreateParams: Stripe.Checkout.SessionCreateParams;
  CheckoutSessionRetrieveParams: Stripe.Checkout.SessionRetrieveParams;
  CheckoutSessionListParams: Stripe.Checkout.SessionListParams;
  CheckoutSessionExpireParams: Stripe.Checkout.SessionExpireParams;
  SubscriptionCreateParams: Stripe.SubscriptionCreateParams;
  SubscriptionRetrieveParams: Stripe.SubscriptionRetrieveParams;
  SubscriptionUpdateParams: Stripe.SubscriptionUpdateParams;
  SubscriptionCancelParams: Stripe.SubscriptionCancelParams;
  SubscriptionListParams: Stripe.SubscriptionListParams;
  SubscriptionScheduleCreateParams: Stripe.SubscriptionScheduleCreateParams;
  SubscriptionScheduleRetrieveParams: Stripe.SubscriptionScheduleRetrieveParams;
  SubscriptionScheduleUpdateParams: Stripe.SubscriptionScheduleUpdateParams;
  SubscriptionScheduleReleaseParams: Stripe.SubscriptionScheduleReleaseParams;

  // Answers: the objects the stand-in returns (`ApiRoute.contract.response`) and the events it records.
  Customer: Stripe.Customer;
  DeletedCustomer: Stripe.DeletedCustomer;
  CustomerOrDeleted: Stripe.Customer | Stripe.DeletedCustomer;
  PaymentMethod: Stripe.PaymentMethod;
  Card: Stripe.Card;
  SetupIntent: Stripe.SetupIntent;
  CheckoutSession: Stripe.Checkout.Session;
  Subscription: Stripe.Subscription;
  SubscriptionSchedule: Stripe.SubscriptionSchedule;
  Invoice: Stripe.Invoice;
  Mandate: Stripe.Mandate;
  CustomerUpdatedEvent: Stripe.CustomerUpdatedEvent;
  CustomerDeletedEvent: Stripe.CustomerDeletedEvent;
  PaymentMethodDetachedEvent: Stripe.PaymentMethodDetachedEvent;
  PaymentMethodAutomaticallyUpdatedEvent: Stripe.PaymentMethodAutomaticallyUpdatedEvent;
  MandateUpdatedEvent: Stripe.MandateUpdatedEvent;
  InvoicePaymentActionRequiredEvent: Stripe.InvoicePaymentActionRequiredEvent;
  Event: StandInEvent;
  CheckoutSessionCompletedEvent: Stripe.CheckoutSessionCompletedEvent;
  CheckoutSessionExpiredEvent: Stripe.CheckoutSessionExpiredEvent;
  SetupIntentCreatedEvent: Stripe.SetupIntentCreatedEvent;
  SetupIntentRequiresActionEvent: Stripe.SetupIntentRequiresActionEvent;
  SetupIntentSetupFailedEvent: Stripe.SetupIntentSetupFailedEvent;
  SetupIntentSucceededEvent: Stripe.SetupIntentSucceededEvent;
  PaymentMethodAttachedEvent: Stripe.PaymentMethodAttachedEvent;
  InvoicePaidEvent: Stripe.InvoicePaidEvent;
  InvoicePaymentFailedEvent: Stripe.InvoicePaymentFailedEvent;
  InvoiceUpdatedEvent: Stripe.InvoiceUpdatedEvent;
  InvoiceCreatedEvent: Stripe.InvoiceCreatedEvent;
  InvoiceFinalizedEvent: Stripe.InvoiceFinalizedEvent;
  InvoicePaymentSucceededEvent: Stripe.InvoicePaymentSucceededEvent;
  InvoiceUpcomingEvent: Stripe.InvoiceUpcomingEvent;
  InvoiceVoidedEvent: Stripe.InvoiceVoidedEvent;
  InvoiceMarkedUncollectibleEvent: Stripe.InvoiceMarkedUncollectibleEvent;
  CustomerSubscriptionCreatedEvent: Stripe.CustomerSubscriptionCreatedEvent;
  CustomerSubscriptionUpdatedEvent: Stripe.CustomerSubscriptionUpdatedEvent;
  CustomerSubscriptionDeletedEvent: Stripe.CustomerSubscriptionDeletedEvent;
  CustomerSubscriptionPausedEvent: Stripe.CustomerSubscriptionPausedEvent;
  CustomerSubscriptionResumedEvent: Stripe.CustomerSubscriptionResumedEvent;
  CustomerSubscriptionTrialWillEndEvent: Stripe.CustomerSubscriptionTrialWillEndEvent;
  TestHelpersTestClockCreatedEvent: Stripe.TestHelpersTestClockCreatedEvent;
  TestHelpersTestClockAdvancingEvent: Stripe.TestHelpersTestClockAdvancingEvent;
  TestHelpersTestClockReadyEvent: Stripe.TestHelpersTestClockReadyEvent;
  TestHelpersTestClockInternalFailureEvent: Stripe.TestHelpersTestClockInternalFailureEvent;
  TestHelpersTestClockDeletedEvent: Stripe.TestHelpersTestClockDeletedEvent;
  TestClock: Stripe.TestHelpers.TestClock;
  DeletedTestClock: Stripe.TestHelpers.DeletedTestClock;
  TestClockList: Stripe.ApiList<Stripe.TestHelpers.TestClock>;
  InvoiceList: Stripe.ApiList<Stripe.Invoice>;
  CustomerList: Stripe.ApiList<Stripe.Customer>;
  PaymentMethodList: Stripe.ApiList<Stripe.PaymentMethod>;
  SetupIntentList: Stripe.ApiList<Stripe.SetupIntent>;
  CheckoutSessionList: Stripe.ApiList<Stripe.Checkout.Session>;
  SubscriptionList: Stripe.ApiList<Stripe.Subscription>;
  EventList: Stripe.ApiList<StandInEvent>;
  Error: StandInErrorBody;
}
