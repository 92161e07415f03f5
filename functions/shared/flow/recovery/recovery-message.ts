import * as v from 'valibot';
import { HANDLED_EVENT_TYPES, parseQueueBody } from '../setup-message';

/**
 * The Stripe events the service reacts to besides setups: a failed or 3-D-Secure-blocked renewal, the
 * upcoming renewal (card expiry), a trial about to end, a card updated by the network, a method detached or
 * a mandate revoked elsewhere, defaults changed elsewhere (or echoing the service's own), a deleted customer.
 * https://docs.stripe.com/billing/subscriptions/webhooks lists what each means for a subscription.
 */
export const RECOVERY_EVENT_TYPES = [
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.upcoming',
  'customer.subscription.trial_will_end',
  'payment_method.automatically_updated',
  'payment_method.detached',
  'mandate.updated',
  'customer.updated',
  'customer.subscription.updated',
  'customer.deleted',
] as const;
export type RecoveryEventType = (typeof RECOVERY_EVENT_TYPES)[number];

const customerId = v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/));
const paymentMethodId = v.pipe(v.string(), v.regex(/^pm_\w{1,250}$/));

/**
 * What the webhook queues for one of these events: ids only. The worker reads the event back from Stripe by
 * its id (`events.retrieve`) before acting, so a forged or altered body changes nothing; `reportedDefault`
 * is read from the body only to drop the service's own echo, which acts on nothing.
 */
export const recoveryMessageSchema = v.strictObject({
  kind: v.literal('stripe_event'),
  eventId: v.pipe(v.string(), v.regex(/^evt_\w{1,250}$/)),
  eventType: v.picklist(RECOVERY_EVENT_TYPES),
  customerId: v.nullable(customerId),
  /** The event's object (invoice, subscription, customer, payment method, mandate); null for an upcoming invoice. */
  objectId: v.nullable(v.pipe(v.string(), v.regex(/^(in|sub|cus|pm|mandate)_\w{1,250}$/))),
  reportedDefault: v.optional(v.nullable(paymentMethodId)),
  created: v.pipe(v.number(), v.integer()),
  livemode: v.boolean(),
});
export type RecoveryMessage = v.InferOutput<typeof recoveryMessageSchema>;

export function parseRecoveryMessage(body: string): RecoveryMessage | undefined {
  return parseQueueBody(recoveryMessageSchema, body);
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const idOf = (value: unknown): string | null =>
  typeof value === 'string' ? value : ((asObject(value)?.id as string | undefined) ?? null);

export type RecoveryDecision =
  | { action: 'enqueue'; message: RecoveryMessage }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; reason: string };

/**
 * From a verified event to the message (or why there is none). A `customer.updated` or
 * `customer.subscription.updated` that did not change the default (`previous_attributes` holds what changed,
 * https://docs.stripe.com/api/events/object#event_object-data-previous_attributes) is acknowledged and dropped.
 */
export function decideOnRecoveryEvent(event: {
  id: string;
  type: RecoveryEventType;
  created: number;
  livemode: boolean;
  data: { object: unknown; previous_attributes?: unknown };
}): RecoveryDecision {
  const object = asObject(event.data.object);
  if (!object) return { action: 'reject', reason: `The ${event.type} event has no object.` };
  const previous = asObject(event.data.previous_attributes) ?? {};
  const base = {
    kind: 'stripe_event' as const,
    eventId: event.id,
    eventType: event.type,
    created: event.created,
    livemode: event.livemode,
  };
  const message = (customer: string | null, objectId: string | null, extra: Json = {}): RecoveryDecision => {
    const parsed = v.safeParse(recoveryMessageSchema, { ...base, customerId: customer, objectId, ...extra });
    return parsed.success
      ? { action: 'enqueue', message: parsed.output }
      : { action: 'reject', reason: `The ${event.type} event carries ids this service does not accept.` };
  };
  switch (event.type) {
    case 'invoice.upcoming':
      // An upcoming invoice has no id yet (Invoice.id is optional for exactly this case, Invoices.d.ts).
      return message(idOf(object.customer), null);
    case 'invoice.payment_failed':
    case 'invoice.payment_action_required':
    case 'customer.subscription.trial_will_end':
    case 'payment_method.automatically_updated':
      return message(idOf(object.customer), idOf(object));
    case 'payment_method.detached':
      // The detached method no longer names its customer; the previous attributes do.
      return message(idOf(previous.customer), idOf(object));
    case 'mandate.updated':
      // A mandate names its payment method, not its customer: the worker finds the customer from Stripe.
      return message(null, idOf(object));
    case 'customer.deleted':
      return message(idOf(object), idOf(object));
    case 'customer.updated': {
      const previousSettings = asObject(previous.invoice_settings);
      const reported = idOf(asObject(object.invoice_settings)?.default_payment_method);
      if (!previousSettings || idOf(previousSettings.default_payment_method) === reported)
        return { action: 'ignore', reason: 'The customer update did not change its default.' };
      return message(idOf(object), idOf(object), { reportedDefault: reported });
    }
    case 'customer.subscription.updated': {
      const reported = idOf(object.default_payment_method);
      if (!('default_payment_method' in previous) || idOf(previous.default_payment_method) === reported)
        return { action: 'ignore', reason: 'The subscription update did not change its default.' };
      return message(idOf(object.customer), idOf(object), { reportedDefault: reported });
    }
  }
}

/** Every event type the webhook endpoint must be subscribed to: the setups' and the recovery events. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [...HANDLED_EVENT_TYPES, ...RECOVERY_EVENT_TYPES];

export function isRecoveryEventType(type: string): type is RecoveryEventType {
  return (RECOVERY_EVENT_TYPES as readonly string[]).includes(type);
}
