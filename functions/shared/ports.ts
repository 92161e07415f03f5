import type { InvoiceSnapshot } from './recovery-ports';

/**
 * The flow talks to the outside world only through these small interfaces. Each has one real adapter
 * (SQS, DynamoDB, the stripe SDK); tests point those adapters at local stand-ins instead of swapping code.
 */

/**
 * What the webhook (or the status path, or reconcile) enqueues: enough to find the work, never the state —
 * the worker fetches that fresh. Work is keyed by SetupIntent: `checkout.session.completed` and the later
 * `setup_intent.*` events of a delayed payment method both name it, so they share one record.
 */
export interface SetupMessage {
  eventId: string;
  eventType: string;
  setupIntentId: string;
  sessionId: string | null;
  customerId: string | null;
  /**
   * From the metadata, when known: lets the worker read who owns the defaults while it fetches the
   * SetupIntent, instead of after. Absent in messages from older versions.
   */
  subscriptionId?: string | null;
  /** Stripe's `created` of the event, in unix seconds. */
  created: number;
  livemode: boolean;
}

export interface EventQueue {
  enqueue(message: SetupMessage): Promise<void>;
}

/**
 * `queued` is the status path's marker for a session it enqueued; `processing` is a live claim by one worker;
 * the others are where processing ended. `superseded`: a newer setup of the same customer had already
 * become the default, so this one changed nothing.
 */
export type SetupRecordStatus = 'queued' | 'processing' | 'applied' | 'superseded' | 'pending' | 'failed';

/**
 * A claim record's status: a setup's or a change's (above), or `handled` for a Stripe event the recovery
 * flow finished (acted on, or found nothing to do). Finished like `applied`, but never a setup's answer, and
 * never `failed`: a failure is what the alarms and an operator look for.
 */
export type ClaimRecordStatus = SetupRecordStatus | 'handled';

/** A recovery event's claim, finished: what was done. */
export interface HandledOutcome {
  status: 'handled';
  customerId?: string;
  reaction: string;
}

export type StepResult = 'applied' | 'superseded' | 'already_applied';

export interface SetupRecord {
  setupIntentId: string;
  status: SetupRecordStatus;
  sessionId?: string;
  customerId?: string;
  subscriptionId?: string;
  paymentMethodId?: string;
  /** The method as the worker read it with the SetupIntent, so the status route can name it without Stripe. */
  paymentMethodType?: string;
  paymentMethodBrand?: string;
  paymentMethodLast4?: string;
  setupIntentStatus?: string;
  customerDefault?: StepResult;
  subscriptionDefault?: StepResult;
  failureCode?: string;
  /** The card issuer's or bank's reason (`last_setup_error.decline_code`), when Stripe gives one. */
  declineCode?: string;
  failureMessage?: string;
  /** Applied: the subscriptions not named that moved to the method too (SetupOutcome's). */
  subscriptionsMoved?: string[];
  /** Applied: the subscriptions left as they were, with why (SetupOutcome's). */
  subscriptionsSkipped?: SkippedSubscription[];
  /** A removal asked for through the API: the method removed (paymentMethodId is then its replacement). */
  removing?: string;
  eventId?: string;
  queuedAt?: number;
  updatedAt: string;
}

/** A Stripe event's claim record (the recovery flow's): a setup record’s fields, and `handled` with what was done. */
export interface EventClaimRecord extends Omit<SetupRecord, 'status'> {
  status: ClaimRecordStatus;
  /** What the recovery flow did (`payment_failed`, `drift_recorded`, `links_revoked:2`…). */
  reaction?: string;
}

export type ClaimResult<R = SetupRecord> =
  | {
      outcome: 'claimed';
      token: string;
      /**
       * An earlier attempt held this setup (released after a failure, or expired): it may have changed a
       * default in Stripe without recording the checkpoint, so each step reads Stripe before writing.
       */
      retry: boolean;
    }
  /** Applied, superseded, handled or failed for good: nothing left to do for this setup. */
  | { outcome: 'finished'; record: R }
  /** Another worker holds a live claim; try again once it has expired or finished. */
  | { outcome: 'busy' };

export type SetupOutcome =
  | {
      status: 'applied' | 'superseded';
      customerId: string;
      subscriptionId?: string;
      paymentMethodId: string;
      /** A setup's method as read with its SetupIntent: kept on the record, not sent in the outcome event. */
      paymentMethodType?: string;
      paymentMethodBrand?: string;
      paymentMethodLast4?: string;
      customerDefault: StepResult;
      subscriptionDefault?: StepResult;
      /**
       * The first invoice paid: an `incomplete` subscription's first invoice, or with the past-due option on,
       * the oldest open invoice of the named subscription (or of the first subscription that owed one).
       */
      invoicePayment?: InvoicePayment;
      /**
       * Every invoice paid, in the order paid, as Stripe answered each: with the past-due option on, the open
       * invoices of each `past_due`/`unpaid` subscription that now charges the method (named, moved along, or
       * inheriting the customer's default), oldest first; through an update link made for a failed invoice,
       * that invoice and the subscription's older open ones. The first payment that did not go through ends it.
       */
      invoicePayments?: InvoicePayment[];
      /** The update link the setup came through, now used up. */
      updateLinkId?: string;
      /**
       * Subscriptions not named that now use the new method too: with `subscriptionDefaults=follow`, those
       * whose own default was the replaced method; with `subscription: "all"`, every chargeable one.
       */
      subscriptionsMoved?: string[];
      /**
       * Subscriptions that would have moved but were left as they are: the method cannot pay them (their
       * currency or `payment_method_types`), or Stripe refused the update.
       */
      subscriptionsSkipped?: SkippedSubscription[];
      /** The method detached (a removal, or `detachReplaced`), once nothing used it any more. */
      detachedPaymentMethodId?: string;
    }
  | { status: 'pending'; customerId?: string; setupIntentStatus: string }
  | {
      status: 'failed';
      customerId?: string;
      subscriptionId?: string;
      paymentMethodId?: string;
      /** `requires_payment_method`: this attempt failed, but the customer may still try another method. */
      setupIntentStatus?: string;
      /** A default that did change before another update failed for good. */
      customerDefault?: StepResult;
      subscriptionDefault?: StepResult;
      failureCode: string;
      declineCode?: string;
      failureMessage: string;
    };

/** Which setup last became a default, per customer or per subscription ("newest setup wins"). */
export interface DefaultOwner {
  /** Sortable: when the setup succeeded, then its creation time, then its SetupIntent id as a tie-break. */
  setupOrder: string;
  setupIntentId: string;
  paymentMethodId: string;
  /** On the customer's record: the method this owner replaced, so a redelivery can still move its followers. */
  replacedPaymentMethodId?: string;
}

export type DefaultTarget = { kind: 'customer' | 'subscription'; id: string };

/**
 * The customer's owner record once Stripe says the customer is deleted (`customer.deleted`): an order after
 * every setup's and change's (`~` sorts after digits), so none recorded later can take it, and an owner whose
 * setups and changes still waiting are superseded, never applied. No method: the customer has none.
 */
export function deletedCustomerOwner(eventId: string): DefaultOwner {
  return { setupOrder: `~deleted#${eventId}`, setupIntentId: eventId, paymentMethodId: '' };
}

export function isDeletedCustomerOwner(owner: DefaultOwner | undefined): boolean {
  return owner?.setupOrder.startsWith('~deleted#') === true;
}

/** The key `SetupRecords.defaultOwners` results are found under. */
export function defaultOwnerKey(target: DefaultTarget): string {
  return `${target.kind}:${target.id}`;
}

/** Claim records: setups' and changes' (`SetupRecord`), or Stripe events' (`EventClaimRecord`). */
export interface SetupRecords<R extends { status: string } = SetupRecord> {
  /** Conditional write taken before any Stripe call, so two workers never both act on one setup. */
  claim(setupIntentId: string, eventId: string, sessionId: string | null): Promise<ClaimResult<R>>;
  /** Gives a claim back after a transient failure so a redelivery can retry at once. */
  release(setupIntentId: string, token: string): Promise<void>;
  /** Records where processing ended, only if this worker's claim still holds (false if it was lost). */
  finish(setupIntentId: string, token: string, outcome: SetupOutcome | HandledOutcome): Promise<boolean>;
  get(setupIntentId: string): Promise<R | undefined>;
  /**
   * The status path's marker, written after its enqueue: true if this caller's marker now stands (no
   * record yet, or an earlier marker older than `staleAfterSeconds` whose enqueue evidently never led
   * anywhere).
   */
  markQueued(setupIntentId: string, sessionId: string, staleAfterSeconds: number): Promise<boolean>;
  /** One read for all targets: who currently owns each default. */
  defaultOwners(targets: DefaultTarget[]): Promise<Map<string, DefaultOwner>>;
  /**
   * Records the new owner of a default after Stripe was updated; refuses (false) to replace a newer setup.
   * Doubles as the step's checkpoint: a redelivered setup sees its own order and skips the step.
   */
  recordDefaultOwner(target: DefaultTarget, owner: DefaultOwner): Promise<boolean>;
}

export interface CardDetails {
  brand: string;
  last4: string;
  expMonth?: number;
  expYear?: number;
}

export interface PaymentMethodSummary {
  id: string;
  type: string;
  card?: CardDetails;
  /** `allow_redisplay` (PaymentMethods.d.ts): whether Checkout shows it to the customer again. */
  allowRedisplay?: string;
}

/**
 * A saved method as the billing page shows it: cards by brand and expiry, bank debits by bank and last4, Link
 * and PayPal by the account's email.
 */
export interface SavedPaymentMethod {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  card?: CardDetails;
  bank?: { bankName: string | null; last4: string | null };
  /** Link and PayPal are known by the account's email (PaymentMethods.d.ts `Link.email`, `Paypal.payer_email`). */
  account?: { email: string | null };
  /**
   * `allow_redisplay`: Checkout shows a returning customer only `always` methods by default; `limited` and
   * `unspecified` ones are still saved and chargeable, and listed here.
   */
  allowRedisplay: 'always' | 'limited' | 'unspecified';
}

export interface PaymentMethodPage {
  data: SavedPaymentMethod[];
  hasMore: boolean;
}

/** A subscription's own default, or null when it inherits the customer's invoice default. */
export interface SubscriptionDefault {
  id: string;
  status: string;
  defaultPaymentMethodId: string | null;
  /**
   * The methods its subscription schedule will charge from now on (its current and future phases'
   * `default_payment_method` and the schedule's default settings); absent when it has no schedule.
   */
  scheduledPaymentMethodIds?: string[];
  /**
   * Its legacy `default_source` (a `card_…`/`src_…`), when it has one: charged before the customer's default
   * (Subscriptions.d.ts `default_source`), so such a subscription does not inherit the customer's default.
   */
  defaultSourceId?: string | null;
  /** What its invoices may be paid with (absent when not read): a method must fit to be moved there. */
  currency?: string;
  /** `payment_settings.payment_method_types`, null when unrestricted. */
  paymentMethodTypes?: string[] | null;
}

/** A subscription not moved to the new method, and why (Stripe's refusal code, or the mismatch found first). */
export interface SkippedSubscription {
  id: string;
  reason: string;
}

/**
 * Stripe can still charge these (Subscriptions.d.ts `Status`): the ones whose default matters. A `paused`
 * subscription is charged again when it resumes (https://docs.stripe.com/billing/subscriptions/pause-payment),
 * on its default as it then stands, so it counts too.
 */
export const CHARGEABLE_SUBSCRIPTION_STATUSES: readonly string[] = [
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'paused',
];

export interface CustomerSubscriptions {
  /** Every subscription that is not canceled, with its own default. */
  subscriptions: SubscriptionDefault[];
  /**
   * The customer's invoice default, read in the same request (expanded from the first subscription);
   * undefined when the customer has no subscription to expand it from.
   */
  customerDefault: string | null | undefined;
  /** The customer's legacy `default_source`, read with `customerDefault` (undefined when that was not read). */
  customerDefaultSource?: string | null;
  /** false: more subscriptions than the gateway's page cap; the list holds the newest ones only. */
  complete?: false;
}

export interface SetupIntentSnapshot {
  id: string;
  status: string;
  /** Unix seconds. */
  created: number;
  /**
   * When the setup succeeded (unix seconds), which orders setups of one customer ("newest setup wins"):
   * the `setup_intent.succeeded` event's `created` where the worker has it, else the successful SetupAttempt's
   * `created` (when the method was submitted: the same second for a card, earlier for a bank debit that
   * succeeds days later). Absent until it succeeds.
   */
  succeededAt?: number;
  customerId: string | null;
  paymentMethod: PaymentMethodSummary | null;
  metadata: Record<string, string>;
  /**
   * Set whenever the last attempt failed. Every field of Stripe's `last_setup_error` is optional
   * (`SetupIntent.LastSetupError` in the SDK), so a failure may carry no code at all.
   */
  lastSetupError?: { code?: string; declineCode?: string; message?: string };
  /**
   * The customer's default for invoices as Stripe holds it now, read with the SetupIntent (expanded) when
   * it names a customer; null when there is none, undefined when not read.
   */
  customerDefault?: CurrentDefault | null;
  /** Read with the SetupIntent (its customer expanded): Stripe answers the customer as deleted. */
  customerDeleted?: boolean;
}

/** A default payment method as Stripe holds it now, with when that method was created. */
export interface CurrentDefault {
  paymentMethodId: string;
  /** Unix seconds. */
  created: number;
}

/**
 * What a signed `checkout.session.completed` says about a setup-mode session of this service, as the webhook
 * recorded it once the setup's message was in the queue: enough to answer the session's status (whose it is,
 * that it is complete, which SetupIntent) without asking Stripe.
 */
export interface SessionCompletion {
  sessionId: string;
  setupIntentId: string;
  customerId: string | null;
  metadata: Record<string, string>;
  livemode: boolean;
  /** Unix seconds: the event's `created`, when the session completed. */
  completedAt: number;
}

export interface SessionCompletions {
  record(completion: SessionCompletion): Promise<void>;
  get(sessionId: string): Promise<SessionCompletion | undefined>;
}

export interface CheckoutSessionSnapshot {
  id: string;
  mode: string;
  status: string | null;
  customerId: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: boolean;
  setupIntent: SetupIntentSnapshot | null;
}

/**
 * Where Checkout runs (Sessions.d.ts `UiMode`, API 2026-10-28): Stripe's hosted page, redirected to with
 * `success_url`/`cancel_url`; or embedded in the integrator's page by Stripe.js `initEmbeddedCheckout` with
 * the session's `client_secret`, sending the customer to `return_url` when done.
 */
export type CheckoutUi =
  | { uiMode: 'hosted_page'; successUrl: string; cancelUrl: string }
  | { uiMode: 'embedded_page'; returnUrl: string };

export type CreateSetupSessionParams = CheckoutUi & {
  customerId: string;
  subscriptionId?: string;
  currency: string;
  /** Only these method types are offered (Checkout's `allowed_payment_method_types` filter). */
  allowedPaymentMethodTypes?: string[];
  /** Unix seconds: when the Checkout link stops working. */
  expiresAt: number;
  /** The metadata this service writes on the session and its SetupIntent (setupMetadata). */
  metadata: Record<string, string>;
};

/** A hosted session's `url` to redirect to, or an embedded one's `clientSecret` for Stripe.js. */
export type CreatedSetupSession = { id: string; url: string } | { id: string; clientSecret: string };

export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  status: string;
  currency: string;
  /** `payment_settings.payment_method_types`: what the subscription's invoices may be paid with, if set. */
  paymentMethodTypes: string[] | null;
}

export interface InvoicePayment {
  invoiceId: string;
  /** The subscription the invoice is for, where a setup paid several subscriptions' invoices. */
  subscriptionId?: string;
  /**
   * `processing`: the invoice is still open while a bank debit settles (Stripe reports the result later);
   * `action_required`: the bank wants the customer (3-D Secure) before it pays.
   */
  status: 'paid' | 'processing' | 'failed' | 'action_required';
  failureCode?: string;
}

/** The handful of Stripe operations the flow needs, in the flow's own words. */
export interface StripeGateway {
  createSetupSession(params: CreateSetupSessionParams): Promise<CreatedSetupSession>;
  retrieveSubscription(subscriptionId: string): Promise<SubscriptionSnapshot>;
  /**
   * One request: the session with its SetupIntent and PaymentMethod expanded. `beforeRequest` runs only when
   * the request is about to be made (not when a cache in front answers): the caller's Stripe-call budget.
   */
  retrieveSetupSession(
    sessionId: string,
    beforeRequest?: () => Promise<void>,
  ): Promise<CheckoutSessionSnapshot>;
  /** One request: the SetupIntent with its PaymentMethod expanded. */
  retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentSnapshot>;
  /**
   * The `created` of a `setup_intent.succeeded` event read back from Stripe, when the event is that and names
   * this SetupIntent; undefined otherwise.
   */
  setupSucceededAt(eventId: string, setupIntentId: string): Promise<number | undefined>;
  /** Completed setup-mode sessions created since a time (unix seconds), newest first, page by page. */
  listCompletedSetupSessions(createdSince: number): AsyncIterable<CheckoutSessionSnapshot>;
  attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<void>;
  /** Sets the method's `allow_redisplay` to `always`, so Checkout offers it to its customer again. */
  allowRedisplay(paymentMethodId: string): Promise<void>;
  setCustomerDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  /** Also makes the subscription's schedule, if it has one, name the method in its phases to come. */
  setSubscriptionDefaultPaymentMethod(subscriptionId: string, paymentMethodId: string): Promise<void>;
  /**
   * The subscription's schedule names `to` in its phases to come and its default settings wherever it named
   * `from` (every other method when `from` is undefined); nothing when it has no schedule.
   */
  replaceScheduledPaymentMethod(subscriptionId: string, to: string, from?: string): Promise<void>;
  /** The default payment method Stripe holds now for the customer's invoices or the subscription. */
  currentDefaultPaymentMethod(target: DefaultTarget): Promise<CurrentDefault | null>;
  /** Whether Stripe answers the customer as deleted (`DeletedCustomer`, Customers.d.ts). */
  isCustomerDeleted(customerId: string): Promise<boolean>;
  /** The subscription's open invoices, oldest first (every page). */
  listOpenInvoices(subscriptionId: string): Promise<InvoiceSnapshot[]>;
  /** One payment of an open invoice with the method (stripe-invoices.ts: how it is keyed, what it answers). */
  payInvoice(
    invoice: Pick<InvoiceSnapshot, 'id' | 'attemptCount'>,
    paymentMethodId: string,
    keyPrefix: string,
  ): Promise<InvoicePayment>;
  /**
   * An `incomplete` subscription's open first invoice, paid with the method (which makes it `active`); null
   * when the subscription is not `incomplete` or has no open invoice.
   */
  payIncompleteSubscription(subscriptionId: string, paymentMethodId: string): Promise<InvoicePayment | null>;
  /** The customer's subscriptions that are not canceled, every page (or up to a cap), with the customer's default. */
  listSubscriptionDefaults(customerId: string): Promise<CustomerSubscriptions>;
  /** One page of the customer's saved methods, newest first, as Stripe pages them. */
  listCustomerPaymentMethods(
    customerId: string,
    page: { limit: number; startingAfter?: string },
  ): Promise<PaymentMethodPage>;
  /** A method saved on this customer; another customer's answers not_found, like a missing one. */
  retrieveCustomerPaymentMethod(customerId: string, paymentMethodId: string): Promise<SavedPaymentMethod>;
  /**
   * Detaches the method only while it is saved on this customer; one detached already counts as done (the
   * call is repeated on redelivery). `not_owned`: it belongs to another customer, and was left alone.
   */
  detachPaymentMethod(customerId: string, paymentMethodId: string): Promise<'detached' | 'not_owned'>;
}

/** What the SaaS hears about each setup: applied, superseded, pending or failed. */
export interface SetupOutcomeEvent {
  /** null for a default change or removal asked for through the API, which `changeId` names instead. */
  setupIntentId: string | null;
  changeId?: string;
  sessionId: string | null;
  livemode: boolean;
  outcome: SetupOutcome;
}

/** Tells the SaaS what happened, so it can react (email the customer, unlock a feature). At least once. */
export interface OutcomePublisher {
  publish(event: SetupOutcomeEvent): Promise<void>;
}
