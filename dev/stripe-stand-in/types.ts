import type { UnmodelledSessionFields } from './resources/checkout-session-fields';
import type { UnmodelledInvoiceFields } from './resources/invoice-fields';
import type { StandInPlan, StandInPrice } from './resources/prices';
/** Stored objects: the subset of each 2026-10-28.endive object that the stand-in serves. */
export type Metadata = Record<string, string>;

interface StripeObjectBase {
  id: string;
  created: number;
  livemode: boolean;
  metadata: Metadata;
}

export interface StoredCustomer extends StripeObjectBase {
  object: 'customer';
  address: null;
  balance: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  /** The Test Clock the customer was created on: its objects live at the clock's `frozen_time`. */
  test_clock: string | null;
}

/** What Stripe returns for a customer after deletion (retrieve answers 200 with this). */
export interface DeletedCustomer {
  id: string;
  object: 'customer';
  deleted: true;
}

export interface SubscriptionItem {
  id: string;
  object: 'subscription_item';
  billing_thresholds: null;
  created: number;
  current_period_end: number;
  current_period_start: number;
  current_trial: null;
  discounts: string[];
  metadata: Metadata;
  plan: StandInPlan;
  price: StandInPrice;
  quantity: number;
  subscription: string;
  tax_rates: null;
}

/**
 * Subscription fields the stand-in does not model, with the values Stripe gives a plain
 * `charge_automatically` subscription (`Subscription` in Subscriptions.d.ts declares each one required).
 */
export interface UnmodelledSubscriptionFields {
  application: null;
  application_fee_percent: null;
  automatic_tax: { disabled_reason: null; enabled: false; liability: null };
  billing_cycle_anchor: number;
  billing_cycle_anchor_config: null;
  billing_mode: { flexible: null; type: 'classic' };
  billing_schedules: [];
  billing_thresholds: null;
  customer_account: null;
  days_until_due: null;
  discounts: string[];
  invoice_settings: {
    account_tax_ids: null;
    custom_fields: null;
    description: null;
    footer: null;
    issuer: { type: 'self' };
  };
  managed_payments: null;
  next_pending_invoice_item_invoice: null;
  on_behalf_of: null;
  pending_invoice_item_interval: null;
  pending_setup_intent: null;
  pending_update: null;
  transfer_data: null;
}

/** `Subscription.Status` in Subscriptions.d.ts. */
export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'unpaid'
  | 'canceled'
  | 'paused';

/** What a trial ending without a payment method does (`TrialSettings.EndBehavior.MissingPaymentMethod`). */
export type MissingPaymentMethodBehavior = 'cancel' | 'create_invoice' | 'pause';

export interface StoredSubscription extends StripeObjectBase, UnmodelledSubscriptionFields {
  object: 'subscription';
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: {
    comment: string | null;
    feedback: string | null;
    feedback_option: null;
    reason: string | null;
  };
  collection_method: 'charge_automatically';
  currency: string;
  customer: string;
  default_payment_method: string | null;
  default_source: string | null;
  description: string | null;
  ended_at: number | null;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; url: string };
  latest_invoice: string | null;
  payment_settings: {
    payment_method_options: null;
    payment_method_types: string[] | null;
    save_default_payment_method: 'off' | 'on_subscription';
  };
  /** Collection paused while the subscription stays `active` (https://docs.stripe.com/billing/subscriptions/pause-payment). */
  pause_collection: {
    behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void';
    resumes_at: number | null;
  } | null;
  schedule: string | null;
  start_date: number;
  status: SubscriptionStatus;
  test_clock: string | null;
  trial_end: number | null;
  trial_settings: {
    end_behavior: { billing_cycle_anchor: null; missing_payment_method: MissingPaymentMethodBehavior };
  };
  trial_start: number | null;
}

export interface CardDetails {
  brand: string;
  display_brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  country: string;
  funding: 'credit' | 'debit';
  fingerprint: string;
  checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: 'pass' | null };
  networks: { available: string[]; preferred: null };
  three_d_secure_usage: { supported: boolean };
  wallet: null;
  generated_from: null;
  regulated_status: 'unregulated';
}

export interface BillingDetails {
  address: {
    city: string | null;
    country: string | null;
    line1: string | null;
    line2: string | null;
    postal_code: string | null;
    state: string | null;
  };
  email: string | null;
  name: string | null;
  phone: string | null;
  tax_id: null;
}

/** `PaymentMethod.SepaDebit` / `PaymentMethod.UsBankAccount` in the SDK: the bank debits Checkout offers. */
export interface SepaDebitDetails {
  bank_code: string;
  branch_code: string;
  country: string;
  fingerprint: string;
  /** Set when Stripe generated this method from an iDEAL, Bancontact or Sofort SetupAttempt. */
  generated_from: { charge: null; setup_attempt: string | null };
  last4: string;
}

export interface UsBankAccountDetails {
  account_holder_type: 'individual';
  account_type: 'checking';
  bank_name: string;
  financial_connections_account: null;
  fingerprint: string;
  last4: string;
  networks: { preferred: 'ach'; supported: ['ach'] };
  routing_number: string;
  status_details: null;
}

/** iDEAL, Bancontact and Sofort set up a SEPA Direct Debit method: they are single-use redirects themselves. */
export type BankRedirectType = 'ideal' | 'bancontact' | 'sofort';

/** Link and PayPal (wallets), ACSS and Bacs Direct Debit: what Checkout also saves (`checkout-methods.ts`). */
export type CheckoutMethodType = 'link' | 'paypal' | 'acss_debit' | 'bacs_debit';

export type PaymentMethodType =
  | 'card'
  | 'sepa_debit'
  | 'us_bank_account'
  | BankRedirectType
  | CheckoutMethodType;

export interface StoredPaymentMethod extends StripeObjectBase {
  object: 'payment_method';
  allow_redisplay: 'always' | 'limited' | 'unspecified';
  billing_details: BillingDetails;
  /** Set for `type: 'card'` only, as on Stripe: each type has its own hash. */
  card?: CardDetails;
  sepa_debit?: SepaDebitDetails;
  us_bank_account?: UsBankAccountDetails;
  ideal?: { bank: 'ing'; bic: 'INGBNL2A' };
  bancontact?: Record<string, never>;
  sofort?: { country: string };
  link?: { email: string | null };
  paypal?: { country: string | null; payer_email: string | null; payer_id: string | null };
  acss_debit?: {
    bank_name: string | null;
    fingerprint: string | null;
    institution_number: string | null;
    last4: string | null;
    transit_number: string | null;
  };
  bacs_debit?: { fingerprint: string | null; last4: string | null; sort_code: string | null };
  customer: string | null;
  customer_account: null;
  type: PaymentMethodType;
}

/** One attempt to confirm a SetupIntent (`SetupAttempt` in the SDK); `latest_attempt` names the last. */
export interface StoredSetupAttempt {
  id: string;
  object: 'setup_attempt';
  application: null;
  created: number;
  customer: string | null;
  customer_account: null;
  flow_directions: null;
  livemode: boolean;
  on_behalf_of: null;
  payment_method: string;
  payment_method_details: { type: PaymentMethodType } & Record<string, unknown>;
  setup_error: SetupError | null;
  setup_intent: string;
  status: 'succeeded' | 'failed' | 'processing' | 'requires_action' | 'abandoned';
  usage: 'off_session';
}

/** `SetupIntent.LastSetupError` / `SetupAttempt.SetupError`: every field but `type` optional. */
export interface SetupError {
  type: 'card_error' | 'invalid_request_error' | 'api_error';
  code?: string;
  decline_code?: string;
  doc_url?: string;
  message?: string;
  payment_method?: StoredPaymentMethod;
  payment_method_type?: string;
}

/**
 * `SetupIntent.NextAction`: a card's 3D Secure is `use_stripe_sdk` (or `redirect_to_url`); a US bank account
 * awaiting micro-deposits is `verify_with_microdeposits`.
 */
export type SetupIntentNextAction =
  | { type: 'use_stripe_sdk'; use_stripe_sdk: Record<string, unknown> }
  | {
      type: 'verify_with_microdeposits';
      verify_with_microdeposits: {
        arrival_date: number;
        hosted_verification_url: string;
        microdeposit_type: 'descriptor_code' | 'amounts';
      };
    };

export type SetupIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface StoredSetupIntent extends StripeObjectBase {
  object: 'setup_intent';
  application: null;
  automatic_payment_methods: null;
  cancellation_reason: string | null;
  client_secret: string;
  customer: string | null;
  description: string | null;
  flow_directions: null;
  last_setup_error: SetupError | null;
  latest_attempt: string | null;
  /** A bank debit's Mandate (ACSS, Bacs), made when the customer accepts it in Checkout. */
  mandate: string | null;
  next_action: SetupIntentNextAction | null;
  on_behalf_of: string | null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: {
    card: { mandate_options: null; network: null; request_three_d_secure: 'automatic' };
  };
  payment_method_types: string[];
  /** The Checkout Session's choice is not copied to its SetupIntent: Stripe answers null for both. */
  allowed_payment_method_types: null;
  excluded_payment_method_types: null;
  single_use_mandate: null;
  status: SetupIntentStatus;
  usage: 'off_session';
}

export interface CustomerDetails {
  address: null;
  business_name: null;
  email: string | null;
  individual_name: null;
  name: string | null;
  phone: null;
  tax_exempt: 'none';
  tax_ids: [];
}

export interface StoredCheckoutSession extends UnmodelledSessionFields {
  id: string;
  object: 'checkout.session';
  allow_promotion_codes: boolean | null;
  allowed_payment_method_types: string[] | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  billing_address_collection: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: string | null;
  created: number;
  currency: string | null;
  customer: string | null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  invoice: null;
  livemode: boolean;
  locale: string | null;
  metadata: Metadata;
  mode: 'payment' | 'setup' | 'subscription';
  payment_intent: null;
  payment_link: null;
  payment_method_collection: 'always';
  payment_method_configuration_details: { id: string; parent: null } | null;
  payment_method_types: string[];
  payment_status: 'no_payment_required' | 'unpaid';
  return_url?: string;
  setup_intent: string | null;
  status: 'open' | 'complete' | 'expired';
  subscription: null;
  success_url: string | null;
  ui_mode: string;
  url: string | null;
}

export interface StoredEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** `Invoice.Status` in Invoices.d.ts. */
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

/** `Invoice.BillingReason` values the stand-in's subscriptions produce. */
export type InvoiceBillingReason =
  | 'subscription_create'
  | 'subscription_cycle'
  | 'subscription_update'
  | 'upcoming';

type ModelledInvoiceFields =
  | 'automatically_finalizes_at'
  | 'billing_reason'
  | 'next_payment_attempt'
  | 'period_end'
  | 'period_start'
  | 'test_clock';

export interface StoredInvoice
  extends StripeObjectBase,
    Omit<UnmodelledInvoiceFields, ModelledInvoiceFields> {
  object: 'invoice';
  /** A draft's finalization time: Stripe finalizes a subscription's invoice about an hour after creating it. */
  automatically_finalizes_at: number | null;
  billing_reason: InvoiceBillingReason;
  /** When Stripe retries a failed payment (null once paid, or when no retry is left). */
  next_payment_attempt: number | null;
  period_end: number;
  period_start: number;
  test_clock: string | null;
  attempt_count: number;
  attempted: boolean;
  customer: string;
  /** At this API version the subscription lives here (`Invoice.Parent.SubscriptionDetails`), not at the top. */
  parent: {
    quote_details: null;
    subscription_details: { metadata: Metadata | null; subscription: string } | null;
    type: 'subscription_details';
  };
  status: InvoiceStatus;
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  subtotal: number;
  total: number;
  status_transitions: {
    finalized_at: number | null;
    marked_uncollectible_at: number | null;
    paid_at: number | null;
    voided_at: number | null;
  };
  /** The method that paid it, once paid (a simplification of Stripe's payments list). */
  default_payment_method: string | null;
}

/** `TestHelpers.TestClock` in TestHelpers/TestClocks.d.ts. */
export interface StoredTestClock {
  id: string;
  object: 'test_helpers.test_clock';
  created: number;
  deletes_after: number;
  frozen_time: number;
  livemode: boolean;
  name: string | null;
  status: 'advancing' | 'ready' | 'internal_failure';
  status_details: { advancing?: { target_frozen_time: number } };
}
