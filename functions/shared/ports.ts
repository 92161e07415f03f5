/**
 * The flow talks to the outside world only through these small interfaces. Each has one real adapter
 * (SQS, DynamoDB, the stripe SDK); tests point those adapters at local stand-ins instead of swapping code.
 */

/** What the webhook enqueues: enough to find the work, never the state (the worker fetches that fresh). */
export interface SetupMessage {
  eventId: string;
  eventType: string;
  sessionId: string;
  customerId: string | null;
  /** Stripe's `created` of the event, in unix seconds. */
  created: number;
  livemode: boolean;
}

export interface EventQueue {
  enqueue(message: SetupMessage): Promise<void>;
}

/** `processing` is a live claim by one worker; the others are where a session's processing ended. */
export type SetupRecordStatus = 'processing' | 'applied' | 'pending' | 'failed';

export interface SetupRecord {
  sessionId: string;
  status: SetupRecordStatus;
  customerId?: string;
  subscriptionId?: string;
  paymentMethodId?: string;
  setupIntentStatus?: string;
  failureCode?: string;
  failureMessage?: string;
  eventId?: string;
  updatedAt: string;
}

export type ClaimResult =
  | { outcome: 'claimed'; token: string }
  /** Applied or failed for good: nothing left to do for this session. */
  | { outcome: 'finished'; record: SetupRecord }
  /** Another worker holds a live claim; try again once it has expired or finished. */
  | { outcome: 'busy' };

export type SetupOutcome =
  | { status: 'applied'; customerId: string; subscriptionId?: string; paymentMethodId: string }
  | { status: 'pending'; customerId?: string; setupIntentStatus: string }
  | { status: 'failed'; customerId?: string; failureCode: string; failureMessage: string };

export interface SetupRecords {
  /** Conditional write taken before any Stripe call, so two workers never both act on one session. */
  claim(sessionId: string, eventId: string): Promise<ClaimResult>;
  /** Gives a claim back after a transient failure so a redelivery can retry at once. */
  release(sessionId: string, token: string): Promise<void>;
  /** Records where processing ended, only if this worker's claim still holds (false if it was lost). */
  finish(sessionId: string, token: string, outcome: SetupOutcome): Promise<boolean>;
  get(sessionId: string): Promise<SetupRecord | undefined>;
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
}

export interface SetupIntentSnapshot {
  id: string;
  status: string;
  customerId: string | null;
  paymentMethod: PaymentMethodSummary | null;
  metadata: Record<string, string>;
  lastErrorCode?: string;
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

export interface CreateSetupSessionParams {
  customerId: string;
  subscriptionId?: string;
  successUrl: string;
  cancelUrl: string;
  currency: string;
}

export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  status: string;
}

/** The handful of Stripe operations the flow needs, in the flow's own words. */
export interface StripeGateway {
  createSetupSession(params: CreateSetupSessionParams): Promise<{ id: string; url: string }>;
  retrieveSubscription(subscriptionId: string): Promise<SubscriptionSnapshot>;
  /** One request: the session with its SetupIntent and PaymentMethod expanded. */
  retrieveSetupSession(sessionId: string): Promise<CheckoutSessionSnapshot>;
  attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<void>;
  setCustomerDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  setSubscriptionDefaultPaymentMethod(subscriptionId: string, paymentMethodId: string): Promise<void>;
}
