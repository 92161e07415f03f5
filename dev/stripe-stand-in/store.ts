import type Stripe from 'stripe';
import { type BillingSettings, DEFAULT_BILLING_SETTINGS } from './billing/billing-settings';
import { eventViolation } from './contract/answer-check';
import { resourceMissing } from './errors';
import { newId, nowSeconds } from './ids';
import type { StoredSubscriptionSchedule } from './resources/subscription-schedules';
import type {
  DeletedCustomer,
  StoredCheckoutSession,
  StoredCustomer,
  StoredEvent,
  StoredInvoice,
  StoredPaymentMethod,
  StoredSetupAttempt,
  StoredSetupIntent,
  StoredSubscription,
  StoredTestClock,
} from './types';

/** The API version the SDK pins; events carry it like Stripe's webhook endpoint version. */
export const API_VERSION = '2026-10-28.endive';

/** Every object the stand-in holds. Maps keep insertion order, which lists reverse (newest first). */
export class StandInStore {
  readonly customers = new Map<string, StoredCustomer>();
  readonly deletedCustomers = new Map<string, DeletedCustomer>();
  readonly subscriptions = new Map<string, StoredSubscription>();
  readonly subscriptionSchedules = new Map<string, StoredSubscriptionSchedule>();
  readonly paymentMethods = new Map<string, StoredPaymentMethod>();
  /** Stripe refuses to reattach a PaymentMethod once it has been detached. */
  readonly detachedPaymentMethodIds = new Set<string>();
  /** PaymentMethods made from 4000 0000 0000 0341: they attach, but every charge is declined. */
  readonly failsWhenCharged = new Set<string>();
  /** Invoices with a bank debit still processing: their PaymentIntent cannot be confirmed again meanwhile. */
  readonly processingInvoices = new Set<string>();
  readonly setupIntents = new Map<string, StoredSetupIntent>();
  readonly setupAttempts = new Map<string, StoredSetupAttempt>();
  readonly checkoutSessions = new Map<string, StoredCheckoutSession>();
  readonly invoices = new Map<string, StoredInvoice>();
  /** Bank-debit mandates, made when a bank revokes one (control route): Mandates.d.ts. */
  readonly mandates = new Map<string, Stripe.Mandate>();
  readonly events = new Map<string, StoredEvent>();
  readonly testClocks = new Map<string, StoredTestClock>();
  /**
   * Per Checkout Session, what its `payment_method_options.acss_debit.mandate_options.default_for` asked: the
   * ACSS mandate accepted in it says so (the session's own `payment_method_options` is not modelled).
   */
  readonly acssMandateDefaultFor = new Map<string, string[]>();
  /**
   * Per Checkout Session, its `payment_method_data.allow_redisplay`: "set on the payment method on
   * confirmation" (Checkout/Sessions.d.ts), so the method saved through it carries that value.
   */
  readonly checkoutAllowRedisplay = new Map<string, StoredPaymentMethod['allow_redisplay']>();
  /** Time-driven events already sent (`subscription:kind:time`), so each is sent once. */
  readonly billingMarkers = new Set<string>();
  billingSettings: BillingSettings = { ...DEFAULT_BILLING_SETTINGS };
  /** How long a Test Clock stays `advancing` before its objects catch up (Stripe: seconds, here milliseconds). */
  testClockAdvanceMs = 25;
  private readonly clockTimers = new Set<NodeJS.Timeout>();
  /** Called with each event as it is recorded (the webhook emitter listens here). */
  onEvent: ((event: StoredEvent) => void) | undefined;

  getCustomer(id: string): StoredCustomer | DeletedCustomer | undefined {
    return this.customers.get(id) ?? this.deletedCustomers.get(id);
  }
  getSubscription(id: string): StoredSubscription | undefined {
    return this.subscriptions.get(id);
  }
  getSetupIntent(id: string): StoredSetupIntent | undefined {
    return this.setupIntents.get(id);
  }
  getPaymentMethod(id: string): StoredPaymentMethod | undefined {
    return this.paymentMethods.get(id);
  }
  getCheckoutSession(id: string): StoredCheckoutSession | undefined {
    return this.checkoutSessions.get(id);
  }
  getEvent(id: string): StoredEvent | undefined {
    return this.events.get(id);
  }

  /**
   * "Now" for a customer's objects: the frozen time of its Test Clock, or the stand-in's clock
   * (https://docs.stripe.com/billing/testing/test-clocks: objects on a clock live at its `frozen_time`).
   */
  timeOf(customerId: string | null | undefined): number {
    const customer =
      customerId === null || customerId === undefined ? undefined : this.customers.get(customerId);
    const clock = customer?.test_clock ? this.testClocks.get(customer.test_clock) : undefined;
    return clock?.frozen_time ?? nowSeconds();
  }

  /** Runs a Test Clock's advance later, as Stripe does: the `advance` answer says `advancing`, not `ready`. */
  scheduleClockAdvance(run: () => void): void {
    const timer = setTimeout(() => {
      this.clockTimers.delete(timer);
      run();
    }, this.testClockAdvanceMs);
    this.clockTimers.add(timer);
  }

  /** A live (not deleted) customer referenced by a request parameter; Stripe answers 400 otherwise. */
  requireLiveCustomer(id: string, param: string, status = 400): StoredCustomer {
    const customer = this.customers.get(id);
    if (customer === undefined) throw resourceMissing('customer', id, param, status);
    return customer;
  }

  /** Resolves any id for `expand`, by its prefix. */
  findById(id: string): object | undefined {
    if (id.startsWith('cus_')) return this.getCustomer(id);
    if (id.startsWith('sub_sched_')) return this.subscriptionSchedules.get(id);
    if (id.startsWith('sub_')) return this.subscriptions.get(id);
    if (id.startsWith('pm_')) return this.paymentMethods.get(id);
    if (id.startsWith('seti_')) return this.setupIntents.get(id);
    if (id.startsWith('setatt_')) return this.setupAttempts.get(id);
    if (id.startsWith('cs_')) return this.checkoutSessions.get(id);
    if (id.startsWith('evt_')) return this.events.get(id);
    if (id.startsWith('in_')) return this.invoices.get(id);
    if (id.startsWith('mandate_')) return this.mandates.get(id);
    if (id.startsWith('clock_')) return this.testClocks.get(id);
    return undefined;
  }

  /**
   * Records an event. `data.object` is a snapshot (JSON round trip) so later changes to the
   * object do not rewrite history, as with Stripe.
   */
  recordEvent(
    type: string,
    object: object,
    livemode: boolean,
    created = nowSeconds(),
    previousAttributes?: Record<string, unknown>,
  ): StoredEvent {
    const event: StoredEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created,
      data: {
        object: JSON.parse(JSON.stringify(object)),
        ...(previousAttributes === undefined
          ? {}
          : { previous_attributes: JSON.parse(JSON.stringify(previousAttributes)) }),
      },
      livemode,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    // An event Stripe would not send is the stand-in's bug: recorded (failing the test run) and refused.
    const violation = eventViolation(event, `recording event ${type}`);
    if (violation !== undefined) throw new Error(violation);
    this.events.set(event.id, event);
    this.onEvent?.(event);
    return event;
  }

  reset(): void {
    this.customers.clear();
    this.deletedCustomers.clear();
    this.subscriptions.clear();
    this.subscriptionSchedules.clear();
    this.paymentMethods.clear();
    this.detachedPaymentMethodIds.clear();
    this.failsWhenCharged.clear();
    this.processingInvoices.clear();
    this.setupIntents.clear();
    this.setupAttempts.clear();
    this.checkoutSessions.clear();
    this.invoices.clear();
    this.mandates.clear();
    this.events.clear();
    for (const timer of this.clockTimers) clearTimeout(timer);
    this.clockTimers.clear();
    this.testClocks.clear();
    this.acssMandateDefaultFor.clear();
    this.checkoutAllowRedisplay.clear();
    this.billingMarkers.clear();
    this.billingSettings = { ...DEFAULT_BILLING_SETTINGS };
  }
}
