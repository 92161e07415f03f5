import * as v from 'valibot';
import type { SessionCompletion, SetupMessage } from '../ports';
import { CUSTOMER_KEY, isOurSetup, SUBSCRIPTION_KEY } from '../setup-metadata';

/**
 * The event types that carry setup work. `setup_intent.*` finish delayed payment methods (SEPA Debit, Bacs,
 * ACSS, US bank account), whose SetupIntent is still `processing` when the session completes. Others are
 * acknowledged and dropped, so Stripe does not retry them for three days.
 */
export const CHECKOUT_SESSION_COMPLETED = 'checkout.session.completed';
export const SETUP_INTENT_SUCCEEDED = 'setup_intent.succeeded';
export const SETUP_INTENT_SETUP_FAILED = 'setup_intent.setup_failed';
export const HANDLED_EVENT_TYPES = [
  CHECKOUT_SESSION_COMPLETED,
  SETUP_INTENT_SUCCEEDED,
  SETUP_INTENT_SETUP_FAILED,
];

const metadataSchema = v.nullish(v.record(v.string(), v.string()));
const idOrObject = v.nullish(v.union([v.string(), v.object({ id: v.string() })]));

const envelopeSchema = v.object({
  id: v.string(),
  type: v.string(),
  created: v.number(),
  livemode: v.boolean(),
});

/** A Stripe event as the webhook accepts it (after its signature is verified): the envelope and its object. */
export const stripeEventSchema = v.object({
  ...envelopeSchema.entries,
  data: v.object({ object: v.unknown() }),
});

const checkoutSessionSchema = v.object({
  id: v.string(),
  object: v.literal('checkout.session'),
  mode: v.string(),
  customer: idOrObject,
  setup_intent: idOrObject,
  metadata: metadataSchema,
});

const setupIntentSchema = v.object({
  id: v.string(),
  object: v.literal('setup_intent'),
  customer: idOrObject,
  metadata: metadataSchema,
});

export type WebhookDecision =
  /** `completion`: a completed setup-mode session, for the status route to answer without Stripe. */
  | { action: 'enqueue'; message: SetupMessage; completion?: SessionCompletion }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; reason: string };

const idOf = (value: string | { id: string } | null | undefined) =>
  (typeof value === 'string' ? value : value?.id) || null;

/** Decides what a verified Stripe event means for this service; pure, so it is tested without a server. */
export function decideOnStripeEvent(event: unknown): WebhookDecision {
  const envelope = v.safeParse(v.object({ id: v.string(), type: v.string() }), event);
  if (!envelope.success) return { action: 'reject', reason: 'The body is not a Stripe event.' };
  if (!HANDLED_EVENT_TYPES.includes(envelope.output.type)) {
    return { action: 'ignore', reason: `Event type ${envelope.output.type} is not handled.` };
  }
  const parsed = v.safeParse(stripeEventSchema, event);
  if (!parsed.success) return { action: 'reject', reason: `The ${envelope.output.type} event is malformed.` };
  const { data, ...stripeEvent } = parsed.output;
  const base = {
    eventId: stripeEvent.id,
    eventType: stripeEvent.type,
    created: stripeEvent.created,
    livemode: stripeEvent.livemode,
  };

  if (stripeEvent.type === CHECKOUT_SESSION_COMPLETED) {
    const session = v.safeParse(checkoutSessionSchema, data.object);
    if (!session.success)
      return { action: 'reject', reason: 'The checkout.session.completed event is malformed.' };
    const { mode, setup_intent, customer, metadata, id } = session.output;
    if (mode !== 'setup') return { action: 'ignore', reason: `Session mode ${mode} is not handled.` };
    // The SaaS may run setup-mode Checkouts of its own (a backup card): only ours change defaults.
    if (!isOurSetup(metadata))
      return { action: 'ignore', reason: 'The session was not created by this service.' };
    const setupIntentId = idOf(setup_intent);
    if (!setupIntentId) return { action: 'reject', reason: 'The setup-mode session has no SetupIntent.' };
    return {
      action: 'enqueue',
      message: {
        ...base,
        setupIntentId,
        sessionId: id,
        customerId: idOf(customer) ?? metadata?.[CUSTOMER_KEY] ?? null,
        subscriptionId: metadata?.[SUBSCRIPTION_KEY] ?? null,
      },
      completion: {
        sessionId: id,
        setupIntentId,
        customerId: idOf(customer),
        metadata: metadata ?? {},
        livemode: stripeEvent.livemode,
        completedAt: stripeEvent.created,
      },
    };
  }

  const intent = v.safeParse(setupIntentSchema, data.object);
  if (!intent.success) return { action: 'reject', reason: `The ${stripeEvent.type} event is malformed.` };
  // Only SetupIntents that came from this service's sessions: the SaaS may create others for its own ends.
  if (!isOurSetup(intent.output.metadata)) {
    return { action: 'ignore', reason: 'The SetupIntent was not created by this service.' };
  }
  return {
    action: 'enqueue',
    message: {
      ...base,
      setupIntentId: intent.output.id,
      sessionId: null,
      customerId: idOf(intent.output.customer) ?? intent.output.metadata?.[CUSTOMER_KEY] ?? null,
      subscriptionId: intent.output.metadata?.[SUBSCRIPTION_KEY] ?? null,
    },
  };
}

export const setupMessageSchema = v.object({
  eventId: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  eventType: v.picklist(HANDLED_EVENT_TYPES),
  setupIntentId: v.pipe(v.string(), v.regex(/^seti_\w{1,250}$/)),
  sessionId: v.nullable(v.pipe(v.string(), v.regex(/^cs_(test|live)_\w{1,250}$/))),
  customerId: v.nullable(v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/))),
  subscriptionId: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^sub_\w{1,250}$/)))),
  created: v.pipe(v.number(), v.integer()),
  livemode: v.boolean(),
});

/** Queue bodies are parsed back through the same contract the webhook wrote them with. */
export function parseSetupMessage(body: string): SetupMessage | undefined {
  return parseQueueBody(setupMessageSchema, body);
}

/** A queue body as JSON through its schema; undefined when it is not JSON or not in that shape. */
export function parseQueueBody<S extends v.GenericSchema>(
  schema: S,
  body: string,
): v.InferOutput<S> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(schema, json);
  return parsed.success ? parsed.output : undefined;
}
