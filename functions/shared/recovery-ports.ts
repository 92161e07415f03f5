import type { InvoicePayment } from './ports';

/**
 * The recovery side of the service: what it reads from Stripe when a payment fails, a card will expire, a
 * trial ends or a default changes elsewhere, the update links it mints, and what it tells the SaaS.
 */

/** Why a customer is asked to update their payment method (the `reason` of `Payment method update needed`). */
export const UPDATE_NEEDED_REASONS = [
  'payment_failed',
  'action_required',
  'expires_before_renewal',
  'trial_ending_without_method',
  'mandate_inactive',
  'default_removed_elsewhere',
] as const;
export type UpdateNeededReason = (typeof UPDATE_NEEDED_REASONS)[number];

/** A card's or legacy source's expiry, as Stripe stores it (month 1–12, four-digit year). */
export interface Expiry {
  expMonth: number;
  expYear: number;
}

/** One candidate in Stripe's charge order, with its expiry when it is a card. */
export interface Payer {
  id: string;
  /** Where it sits in the charge order. */
  source:
    | 'subscription.default_payment_method'
    | 'subscription.default_source'
    | 'customer.invoice_settings.default_payment_method'
    | 'customer.default_source';
  expiry?: Expiry;
}

/** A subscription read with everything Stripe's charge order consults, in one request. */
export interface SubscriptionPayers {
  id: string;
  customerId: string;
  status: string;
  /** Unix seconds: when the trial ends, if it has one. */
  trialEnd: number | null;
  /** Every candidate, in Stripe's charge order; absent ones left out. */
  payers: Payer[];
  /** The customer is deleted: nothing will be charged. */
  customerDeleted: boolean;
}

export interface InvoiceSnapshot {
  id: string;
  status: string | null;
  customerId: string;
  subscriptionId: string | null;
  amountDue: number;
  currency: string;
  /** Unix seconds, or null when Stripe will not try again. */
  nextPaymentAttempt: number | null;
  hostedInvoiceUrl: string | null;
  created: number;
  /** How many payment attempts Stripe has made: part of a payment's idempotency key (stripe-invoices.ts). */
  attemptCount: number;
}

/** A Stripe event as Stripe holds it (events.retrieve): the proof that a queued event is real. */
export interface ProvenEvent {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  /** `data.object` as Stripe recorded it. */
  object: Record<string, unknown>;
  /** `data.previous_attributes`, where Stripe gives it (updates, a detach's former customer). */
  previousAttributes: Record<string, unknown>;
}

export interface MandateSnapshot {
  id: string;
  status: string;
  paymentMethodId: string;
}

export interface PaymentMethodOwner {
  id: string;
  customerId: string | null;
  expiry?: Expiry;
}

/** The Stripe reads and writes the recovery flow needs, in its own words. */
export interface RecoveryStripe {
  retrieveEvent(eventId: string): Promise<ProvenEvent>;
  retrieveInvoice(invoiceId: string): Promise<InvoiceSnapshot>;
  retrieveSubscriptionPayers(subscriptionId: string): Promise<SubscriptionPayers>;
  /** The customer's own charge-order candidates (its invoice default, then its default source). */
  retrieveCustomerPayers(customerId: string): Promise<{ deleted: boolean; payers: Payer[] }>;
  retrieveMandate(mandateId: string): Promise<MandateSnapshot>;
  retrievePaymentMethodOwner(paymentMethodId: string): Promise<PaymentMethodOwner>;
  /** The subscription's open invoices, oldest first (every page). */
  listOpenInvoices(subscriptionId: string): Promise<InvoiceSnapshot[]>;
  /**
   * Pays with the method, keyed by `keyPrefix`, the invoice and its attempt count, so the same setup never
   * pays the same invoice twice and never meets a saved 500 again.
   */
  payInvoice(
    invoice: Pick<InvoiceSnapshot, 'id' | 'attemptCount'>,
    paymentMethodId: string,
    keyPrefix: string,
  ): Promise<InvoicePaymentResult>;
}

/** What one invoice payment came to (the setup flow's own type: both flows pay the same way). */
export type InvoicePaymentResult = InvoicePayment;

export type UpdateLinkStatus = 'open' | 'used' | 'revoked';

export interface UpdateLink {
  linkId: string;
  customerId: string;
  subscriptionId: string | null;
  reason: UpdateNeededReason | 'requested';
  invoiceId: string | null;
  /** Unix seconds. */
  expiresAt: number;
  status: UpdateLinkStatus;
  /** The open Checkout Session minted for this link, if any (reused until it expires). */
  session?: { id: string; url: string; expiresAt: number };
  usedBySetupIntentId?: string;
}

export interface UpdateLinks {
  /** Writes the link unless it exists (a retried worker mints the same link); answers what is stored. */
  create(link: UpdateLink): Promise<UpdateLink>;
  get(linkId: string): Promise<UpdateLink | undefined>;
  /**
   * Records the session minted for the link, only if the link is still open and still has the session the
   * caller saw (`previousSessionId`): false when another open won the race.
   */
  attachSession(
    linkId: string,
    session: NonNullable<UpdateLink['session']>,
    previousSessionId?: string,
  ): Promise<boolean>;
  /** Open → used by this setup; true also when this setup had already used it. */
  markUsed(linkId: string, setupIntentId: string): Promise<boolean>;
  /** Open → revoked; true when it is revoked now (or was). */
  revoke(linkId: string): Promise<boolean>;
  /** Every link minted for the customer (for ending a deleted customer's pending work). */
  linksOf(customerId: string): Promise<string[]>;
}

export type RecoveryOutcomeEvent =
  | {
      type: 'update_needed';
      customerId: string;
      subscriptionId: string | null;
      reason: UpdateNeededReason;
      /** The update link (or, for `action_required`, Stripe's hosted invoice page). */
      updateUrl: string | null;
      /** ISO 8601: when the update link stops working; null for Stripe's hosted invoice page. */
      expiresAt: string | null;
      invoice?: { id: string; amountDue: number; currency: string; nextPaymentAttempt: string | null };
      /** The Stripe event that led here: consumers deduplicate on it. */
      stripeEventId: string;
      livemode: boolean;
    }
  | {
      type: 'default_changed_elsewhere';
      customerId: string;
      subscriptionId: string | null;
      paymentMethodId: string | null;
      previousPaymentMethodId: string | null;
      stripeEventId: string;
      livemode: boolean;
    };

export interface RecoveryEventPublisher {
  publishRecovery(event: RecoveryOutcomeEvent): Promise<void>;
}
