/**
 * The saved-method routes' bodies as valibot schemas, for the OpenAPI document (scripts/openapi/api-routes.ts);
 * the integration suite checks every answer it sees against the document. The assertions at the end make a
 * handler change the schema does not allow a compile error.
 */
import * as v from 'valibot';
import type { PaymentMethodsView } from './flow/list-payment-methods';
import type { AcceptedChange, ChangeStatus } from './flow/payment-method-changes';

const pm = v.pipe(v.string(), v.regex(/^pm_\w+$/));
/** Listed methods include legacy card sources (`card_…`), which Stripe lists as card PaymentMethods. */
const listed = v.pipe(v.string(), v.regex(/^(pm|card|src)_\w+$/));
const sub = v.pipe(v.string(), v.regex(/^sub_\w+$/));
const changeStatuses = ['queued', 'processing', 'applied', 'superseded', 'pending', 'failed'] as const;

export const paymentMethodList = v.pipe(
  v.strictObject({
    data: v.array(
      v.strictObject({
        id: listed,
        type: v.string(),
        created: v.number(),
        card: v.optional(
          v.strictObject({
            brand: v.string(),
            last4: v.string(),
            expMonth: v.optional(v.number()),
            expYear: v.optional(v.number()),
          }),
        ),
        bank: v.optional(v.strictObject({ bankName: v.nullable(v.string()), last4: v.nullable(v.string()) })),
        account: v.pipe(
          v.optional(v.strictObject({ email: v.nullable(v.string()) })),
          v.description('Link and PayPal: the account’s email.'),
        ),
        allowRedisplay: v.pipe(
          v.picklist(['always', 'limited', 'unspecified']),
          v.description(
            'Stripe’s allow_redisplay: Checkout shows a returning customer only `always` methods by default.',
          ),
        ),
        isCustomerDefault: v.pipe(v.boolean(), v.description('The customer’s invoice default.')),
        pays: v.pipe(v.array(sub), v.description('Chargeable subscriptions this method pays.')),
      }),
    ),
    hasMore: v.boolean(),
    nextStartingAfter: v.pipe(
      v.nullable(listed),
      v.description('Pass as `starting_after` for the next page.'),
    ),
    customerDefault: v.pipe(
      v.nullable(listed),
      v.description('The customer’s invoice default, or without one its legacy `default_source`.'),
    ),
    subscriptions: v.array(
      v.strictObject({
        id: sub,
        status: v.string(),
        paymentMethod: v.pipe(
          v.nullable(listed),
          v.description(
            'What Stripe charges next, in its order: the subscription’s default_payment_method, its default_source, the customer’s invoice default, the customer’s default_source.',
          ),
        ),
        source: v.picklist(['subscription', 'customer']),
      }),
    ),
  }),
  v.title('PaymentMethodList'),
);

export const acceptedChange = v.pipe(
  v.strictObject({
    id: v.pipe(v.string(), v.regex(/^chg_\w+$/)),
    status: v.literal('queued'),
    statusUrl: v.pipe(
      v.string(),
      v.url(),
      v.description(
        'Absolute URL of the change’s status on this API: GET it (with the token) for the outcome.',
      ),
    ),
  }),
  v.title('AcceptedChange'),
);

export const changeStatus = v.pipe(
  v.strictObject({
    id: v.pipe(v.string(), v.regex(/^chg_\w+$/)),
    action: v.picklist(['make_default', 'remove']),
    status: v.picklist(changeStatuses),
    paymentMethod: v.pipe(
      v.nullable(pm),
      v.description('The method the change is about: the one made the default, or the one removed.'),
    ),
    replacement: v.pipe(
      v.nullable(pm),
      v.description('A removal with `replaceWith`: the method made the default in its place; else null.'),
    ),
    subscription: v.nullable(v.string()),
    subscriptionsMoved: v.pipe(
      v.array(sub),
      v.description('Applied: subscriptions not named that now use the new default too.'),
    ),
    subscriptionsSkipped: v.pipe(
      v.array(
        v.strictObject({
          id: sub,
          reason: v.pipe(
            v.string(),
            v.description(
              '`currency_not_supported` or `payment_method_type_not_allowed` (the method cannot pay the subscription), or the code Stripe refused its update with.',
            ),
          ),
        }),
      ),
      v.description(
        'Applied: subscriptions that would have moved (followers, `subscription: "all"`) but were left on their method, with why.',
      ),
    ),
    failureCode: v.optional(v.string()),
    failureMessage: v.optional(v.string()),
    updatedAt: v.string(),
  }),
  v.title('ChangeStatus'),
);

type Assert<T extends true> = T;
export type ListMatches = Assert<
  PaymentMethodsView extends v.InferOutput<typeof paymentMethodList> ? true : false
>;
export type AcceptedMatches = Assert<
  AcceptedChange extends v.InferOutput<typeof acceptedChange> ? true : false
>;
export type StatusMatches = Assert<ChangeStatus extends v.InferOutput<typeof changeStatus> ? true : false>;
