import * as v from 'valibot';
import { ServiceError } from '../shared/errors';
import { parseJsonObject } from '../shared/http';

const customerId = v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/, 'must be a Stripe customer id (cus_…)'));
const subscriptionId = v.pipe(
  v.string(),
  v.regex(/^sub_\w{1,250}$/, 'must be a Stripe subscription id (sub_…)'),
);
const redirectUrl = v.pipe(
  v.string(),
  v.maxLength(2048, 'must be at most 2048 characters'),
  v.url('must be an absolute URL'),
  v.regex(/^https?:\/\//i, 'must be an http(s) URL'),
);
const currency = v.pipe(
  v.string(),
  v.regex(/^[a-zA-Z]{3}$/, 'must be a three-letter ISO currency code'),
  v.toLowerCase(),
);

/** `POST /checkout-sessions`. Unknown keys are refused so a typo (`successURL`) is not silently ignored. */
export const createSessionBody = v.strictObject({
  customer: v.optional(customerId),
  subscription: v.optional(subscriptionId),
  successUrl: v.optional(redirectUrl),
  cancelUrl: v.optional(redirectUrl),
  currency: v.optional(currency),
  uiMode: v.optional(
    v.pipe(
      v.picklist(['hosted_page', 'embedded_page'], 'must be hosted_page or embedded_page'),
      v.description(
        '`hosted_page` (default): redirect to `url`. `embedded_page`: mount Checkout in your page with Stripe.js `initEmbeddedCheckout({ clientSecret })`.',
      ),
    ),
  ),
  returnUrl: v.optional(
    v.pipe(
      redirectUrl,
      v.description(
        '`embedded_page` only: where Stripe sends the customer when done (`session_id` is appended). Default: the configured success page.',
      ),
    ),
  ),
});

/** A compact JWS: three base64url parts. Its signature and claims are checked by auth/form-token.ts. */
const formToken = v.pipe(
  v.string(),
  v.maxLength(8192, 'must be at most 8192 characters'),
  v.regex(/^[\w-]+\.[\w-]+\.[\w-]*$/, 'must be a JWT'),
);

/**
 * The seed's HTML form; browsers add fields of their own (submit buttons), so extra fields are allowed.
 * With auth on, `token` carries a form token from `POST /form-tokens` (never the identity provider's JWT): a
 * form cannot send an Authorization header.
 */
export const createSessionForm = v.object({
  customer: v.optional(customerId),
  subscription: v.optional(subscriptionId),
  token: v.optional(formToken),
});

/** `POST /form-tokens`: without auth the body names the customer; with auth it may, and must match. */
export const formTokenRequest = v.strictObject({ customer: v.optional(customerId) });

/** `GET /checkout-sessions/{id}` takes one optional query parameter. */
export const sessionStatusQuery = v.strictObject({ customer: v.optional(customerId) });

export const checkoutSessionId = v.pipe(
  v.string(),
  v.regex(/^cs_(test|live)_\w{1,250}$/, 'must be a Checkout Session id (cs_…)'),
);

export type CreateSessionBody = v.InferOutput<typeof createSessionBody>;
export type CreateSessionForm = v.InferOutput<typeof createSessionForm>;
export type SessionStatusQuery = v.InferOutput<typeof sessionStatusQuery>;

/** Far above any real request; refused before parsing, so a huge body costs no JSON or form parsing. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

export function parseCreateSessionJson(raw: Buffer): CreateSessionBody {
  return parseJsonBody(createSessionBody, raw);
}

/** A JSON object body, checked against the route's schema; anything else is a 400 that says what is wrong. */
export function parseJsonBody<S extends v.GenericSchema>(schema: S, raw: Buffer): v.InferOutput<S> {
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) {
    throw parsed.problem === 'not_json'
      ? new ServiceError(400, 'invalid_json', 'The request body is not valid JSON.')
      : new ServiceError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return parseWith(schema, parsed.value);
}

export function parseFormTokenRequest(raw: Buffer): v.InferOutput<typeof formTokenRequest> {
  // An empty body is an empty request: a signed-in caller has nothing to add.
  return raw.length === 0 ? {} : parseJsonBody(formTokenRequest, raw);
}

export function parseCreateSessionForm(raw: Buffer): CreateSessionForm {
  // No prototype: `constructor` or `__proto__` as a field name is a field like any other (and refused by the
  // schema as unknown), not something `in` finds on Object.prototype or an assignment swallows.
  const fields: Record<string, string> = Object.create(null);
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (seen.has(key))
      throw new ServiceError(400, 'invalid_request', `Form field ${key} is given more than once.`);
    seen.add(key);
    // An empty form field means "not chosen", as a browser sends it for an empty <select>.
    if (value !== '') fields[key] = value;
  }
  return parseWith(createSessionForm, fields);
}

export function parseSessionStatusQuery(query: Record<string, string | undefined> | undefined) {
  return parseWith(sessionStatusQuery, { ...query });
}

export function parseSessionId(value: string | undefined): string {
  return parseWith(checkoutSessionId, value ?? '', 'id');
}

export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  label?: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = label ?? issue.path?.map((item) => String(item.key)).join('.');
  const message =
    issue.kind === 'schema' && issue.type === 'strict_object' && path
      ? `Unknown field ${path}.`
      : issue.type === 'object' && !path
        ? 'The request body must be a JSON object.'
        : `${path ? `${path} ` : ''}${issue.message}.`;
  throw new ServiceError(400, 'invalid_request', message);
}
