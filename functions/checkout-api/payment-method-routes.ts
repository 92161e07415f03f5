import { ServiceError } from '../shared/errors';
import {
  type AcceptedChange,
  getChangeStatus,
  type PaymentMethodApiDeps,
  requestMakeDefault,
  requestRemoval,
} from '../shared/flow/payment-method-changes';
import {
  apiUrl,
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  mediaType,
  methodNotAllowed,
  safeDecode,
} from '../shared/http';
import { STRIPE_CALLS_PER_REQUEST } from '../shared/routes';
import { type CallerAuth, identifyCaller } from './caller';
import type { cachedListing } from './listing-cache';
import {
  changeId,
  changeStatusQuery,
  listPaymentMethodsQuery,
  parseMakeDefaultBody,
  parsePathId,
  parseQuery,
  paymentMethodId,
  removeQuery,
} from './payment-method-requests';
import type { SessionRateLimit } from './session-rate-limit';
import type { StripeCallBudget } from './stripe-call-budget';

export interface PaymentMethodRouteDeps extends PaymentMethodApiDeps {
  auth: CallerAuth;
  /** Switches and removals: they write to Stripe, like a new session. */
  sessionRateLimit: SessionRateLimit;
  /** A change's status: the same per-caller budget as a session's status. */
  statusRateLimit: SessionRateLimit;
  /** Every route that reaches Stripe is charged its Stripe calls here, before it runs. */
  stripeCalls: StripeCallBudget;
  /** The listing, cached per customer and charged only when Stripe is asked. */
  listing: ReturnType<typeof cachedListing>;
}

const CHANGE_PATH = /^\/payment-methods\/changes\/([^/]+)$/;
const DEFAULT_PATH = /^\/payment-methods\/([^/]+)\/default$/;
const METHOD_PATH = /^\/payment-methods\/([^/]+)$/;

/**
 * The saved-method routes: see, switch, remove. The customer is always the caller's (from the token);
 * every route is charged its Stripe calls (the listing only when its cache misses), and switches and
 * removals also count against the same per-minute budget as sessions. Undefined: not one of these paths.
 */
export async function routePaymentMethods(
  deps: PaymentMethodRouteDeps,
  event: HttpEvent,
  method: string,
  path: string,
  readBody: () => Buffer,
): Promise<HttpResult | undefined> {
  const callerOf = async (customer: string | undefined): Promise<string> => {
    const caller = await identifyCaller(deps.auth, event, { customer });
    if (!caller.customerId) {
      throw new ServiceError(
        400,
        'customer_required',
        'customer is required: the Stripe customer whose methods these are.',
      );
    }
    return caller.customerId;
  };
  /** A switch or removal: the caller's write budget and its Stripe calls, before Stripe or the table is asked. */
  const changingCustomer = async (customer: string | undefined, calls: number): Promise<string> => {
    const customerId = await callerOf(customer);
    await deps.sessionRateLimit.take(customerId);
    await deps.stripeCalls.spend(customerId, calls);
    return customerId;
  };
  const pathId = (match: RegExpExecArray) => safeDecode(event.pathParameters?.id ?? match[1] ?? '');

  if (path === '/payment-methods') {
    if (method !== 'GET') throw methodNotAllowed('GET');
    const query = parseQuery(listPaymentMethodsQuery, event.queryStringParameters);
    const customerId = await callerOf(query.customer);
    const page = {
      limit: query.limit ?? 10,
      ...(query.starting_after ? { startingAfter: query.starting_after } : {}),
    };
    const view = await deps.listing(customerId, page, () =>
      deps.stripeCalls.spend(customerId, STRIPE_CALLS_PER_REQUEST['GET /payment-methods']),
    );
    return jsonResponse(200, view);
  }
  const change = CHANGE_PATH.exec(path);
  if (change) {
    if (method !== 'GET') throw methodNotAllowed('GET');
    const id = parsePathId(changeId, pathId(change));
    const query = parseQuery(changeStatusQuery, event.queryStringParameters);
    // Polled by the billing page: the same budget as a session's status, taken before the table is read.
    const caller = await identifyCaller(deps.auth, event, { customer: query.customer });
    await deps.statusRateLimit.take(caller.customerId ?? `ip:${event.requestContext?.http?.sourceIp}`);
    return jsonResponse(200, await getChangeStatus(deps, caller.customerId, id));
  }
  const makeDefault = DEFAULT_PATH.exec(path);
  if (makeDefault) {
    if (method !== 'POST') throw methodNotAllowed('POST');
    const id = parsePathId(paymentMethodId, pathId(makeDefault));
    const body = readBody();
    if (body.length > 0 && mediaType(event) !== 'application/json') {
      throw new ServiceError(
        415,
        'unsupported_media_type',
        `Content-Type must be application/json (got ${mediaType(event) ?? 'none'}).`,
      );
    }
    const request = parseMakeDefaultBody(body);
    const customerId = await changingCustomer(
      request.customer,
      STRIPE_CALLS_PER_REQUEST['POST /payment-methods/{id}/default'],
    );
    return acceptedResponse(event, await requestMakeDefault(deps, customerId, id, request.subscription));
  }
  const single = METHOD_PATH.exec(path);
  if (single) {
    if (method !== 'DELETE') throw methodNotAllowed('DELETE');
    const id = parsePathId(paymentMethodId, pathId(single));
    const query = parseQuery(removeQuery, event.queryStringParameters);
    const customerId = await changingCustomer(
      query.customer,
      STRIPE_CALLS_PER_REQUEST['DELETE /payment-methods/{id}'],
    );
    return acceptedResponse(event, await requestRemoval(deps, customerId, id, query.replaceWith));
  }
  return undefined;
}

/** Absolute, so a frontend on another origin polls this API rather than its own host. */
function acceptedResponse(event: HttpEvent, accepted: AcceptedChange): HttpResult {
  const statusUrl = apiUrl(event, accepted.statusUrl);
  return jsonResponse(202, { ...accepted, statusUrl }, { location: statusUrl });
}
