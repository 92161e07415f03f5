import * as v from 'valibot';
import type { SetupMessage } from '../ports';

/**
 * The event types that carry setup work. Others are acknowledged and dropped, so Stripe does not retry
 * them for three days.
 */
export const CHECKOUT_SESSION_COMPLETED = 'checkout.session.completed';

const metadataSchema = v.nullish(v.record(v.string(), v.string()));

const checkoutSessionCompletedSchema = v.object({
  id: v.string(),
  type: v.literal(CHECKOUT_SESSION_COMPLETED),
  created: v.number(),
  livemode: v.boolean(),
  data: v.object({
    object: v.object({
      id: v.string(),
      object: v.literal('checkout.session'),
      mode: v.string(),
      customer: v.nullish(v.union([v.string(), v.object({ id: v.string() })])),
      metadata: metadataSchema,
    }),
  }),
});

export type WebhookDecision =
  | { action: 'enqueue'; message: SetupMessage }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; reason: string };

/** Decides what a verified Stripe event means for this service; pure, so it is tested without a server. */
export function decideOnStripeEvent(event: unknown): WebhookDecision {
  const envelope = v.safeParse(v.object({ id: v.string(), type: v.string() }), event);
  if (!envelope.success) return { action: 'reject', reason: 'The body is not a Stripe event.' };
  if (envelope.output.type !== CHECKOUT_SESSION_COMPLETED) {
    return { action: 'ignore', reason: `Event type ${envelope.output.type} is not handled.` };
  }
  const parsed = v.safeParse(checkoutSessionCompletedSchema, event);
  if (!parsed.success)
    return { action: 'reject', reason: 'The checkout.session.completed event is malformed.' };
  const { data, ...completed } = parsed.output;
  const session = data.object;
  if (session.mode !== 'setup')
    return { action: 'ignore', reason: `Session mode ${session.mode} is not handled.` };
  const customer = typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
  return {
    action: 'enqueue',
    message: {
      eventId: completed.id,
      eventType: completed.type,
      sessionId: session.id,
      customerId: customer || session.metadata?.customer_id || null,
      created: completed.created,
      livemode: completed.livemode,
    },
  };
}

export const setupMessageSchema = v.object({
  eventId: v.pipe(v.string(), v.minLength(1)),
  eventType: v.string(),
  sessionId: v.pipe(v.string(), v.regex(/^cs_(test|live)_\w+$/)),
  customerId: v.nullable(v.string()),
  created: v.number(),
  livemode: v.boolean(),
});

/** Queue bodies are parsed back through the same contract the webhook wrote them with. */
export function parseSetupMessage(body: string): SetupMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(setupMessageSchema, json);
  return parsed.success ? parsed.output : undefined;
}
