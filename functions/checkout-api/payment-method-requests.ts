import * as v from 'valibot';
import { parseJsonBody, parseWith } from './requests';

const customerId = v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/, 'must be a Stripe customer id (cus_…)'));
export const paymentMethodId = v.pipe(
  v.string(),
  v.regex(/^pm_\w{1,250}$/, 'must be a Stripe PaymentMethod id (pm_…)'),
);
/** A listed method's id, as a page cursor: legacy card sources (`card_…`) are listed too. */
const listedMethodId = v.pipe(
  v.string(),
  v.regex(
    /^(pm|card|src)_\w{1,250}$/,
    'must be a listed payment method id (pm_…, or card_… for a card source)',
  ),
);
export const changeId = v.pipe(v.string(), v.regex(/^chg_\w{1,64}$/, 'must be a change id (chg_…)'));

/** `GET /payment-methods`: Stripe's own paging parameters. */
export const listPaymentMethodsQuery = v.strictObject({
  customer: v.optional(customerId),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100'),
      v.transform(Number),
      v.minValue(1, 'must be a whole number from 1 to 100'),
      v.maxValue(100, 'must be a whole number from 1 to 100'),
    ),
  ),
  starting_after: v.optional(listedMethodId),
});

/** `POST /payment-methods/{id}/default`; unknown keys are refused, as for sessions. */
export const makeDefaultBody = v.strictObject({
  customer: v.optional(customerId),
  subscription: v.optional(
    v.union(
      [v.literal('all'), v.pipe(v.string(), v.regex(/^sub_\w{1,250}$/))],
      'must be a Stripe subscription id (sub_…) or "all"',
    ),
  ),
});

/** `DELETE /payment-methods/{id}`: a DELETE carries no body, so the replacement is a query parameter. */
export const removeQuery = v.strictObject({
  customer: v.optional(customerId),
  replaceWith: v.optional(paymentMethodId),
});

/** `GET /payment-methods/changes/{id}`. */
export const changeStatusQuery = v.strictObject({ customer: v.optional(customerId) });

export function parseQuery<S extends v.GenericSchema>(
  schema: S,
  query: Record<string, string | undefined> | undefined,
): v.InferOutput<S> {
  return parseWith(schema, { ...query });
}

export function parseMakeDefaultBody(raw: Buffer): v.InferOutput<typeof makeDefaultBody> {
  // An empty body means "the customer's default only".
  if (raw.length === 0) return {};
  return parseJsonBody(makeDefaultBody, raw);
}

export function parsePathId<S extends v.GenericSchema>(schema: S, value: string): v.InferOutput<S> {
  return parseWith(schema, value, 'id');
}
