import * as v from 'valibot';
import { parseQueueBody } from './setup-message';

/**
 * A change to the defaults asked for through the API: make a saved method the default, or remove one. It
 * travels the same FIFO queue as setups (the customer is the message group), so one customer's setups and
 * changes are applied one at a time, and "newest wins" compares both through the same owner records.
 */
export const defaultChangeMessageSchema = v.strictObject({
  kind: v.literal('default_change'),
  changeId: v.pipe(v.string(), v.regex(/^chg_\w{1,64}$/)),
  action: v.picklist(['make_default', 'remove']),
  customerId: v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/)),
  /** The method that becomes the default: the one asked for, or a removal's replacement. */
  paymentMethodId: v.nullable(v.pipe(v.string(), v.regex(/^pm_\w{1,250}$/))),
  /**
   * The type of `paymentMethodId` as Stripe answered the API: which subscriptions it can pay (method-fit.ts).
   * Proven with the rest of the message against the change record; absent in messages of older versions.
   */
  paymentMethodType: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/))),
  /** make_default only: a subscription of the customer's, or every chargeable one. */
  subscription: v.optional(v.union([v.literal('all'), v.pipe(v.string(), v.regex(/^sub_\w{1,250}$/))])),
  /** remove only: the method to detach. */
  removing: v.optional(v.pipe(v.string(), v.regex(/^pm_\w{1,250}$/))),
  /** When the API accepted the request, in milliseconds: orders the change against setups and other changes. */
  requestedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  livemode: v.boolean(),
});

export type DefaultChangeMessage = v.InferOutput<typeof defaultChangeMessageSchema>;

export function parseDefaultChangeMessage(body: string): DefaultChangeMessage | undefined {
  const message = parseQueueBody(defaultChangeMessageSchema, body);
  if (!message) return undefined;
  const consistent =
    message.action === 'make_default'
      ? message.paymentMethodId !== null && message.removing === undefined
      : message.removing !== undefined && message.subscription === undefined;
  return consistent ? message : undefined;
}

/**
 * Sortable against setups' `setupOrder` (`<created seconds, 12 digits>#seti_…`): the same seconds, then the
 * milliseconds. A change asked for in the same second as a SetupIntent was created sorts after it ('.' > '#').
 */
export function changeOrderOf(requestedAtMs: number, changeId: string): string {
  const seconds = String(Math.floor(requestedAtMs / 1000)).padStart(12, '0');
  const millis = String(requestedAtMs % 1000).padStart(3, '0');
  return `${seconds}.${millis}#${changeId}`;
}
