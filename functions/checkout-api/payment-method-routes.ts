import { ServiceError } from '../shared/errors';
import { listPaymentMethods } from '../shared/flow/list-payment-methods';
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
import { type CallerAuth, identifyCaller } from './caller';
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

export interface PaymentMethodRouteDeps extends PaymentMethodApiDeps {
  auth: CallerAuth;
  /** Switches and removals: they write to Stripe, like a new session. */
  sessionRateLimit: SessionRateLimit;
  /** Reads (the list, a change's status): the same per-caller budget as a session's status. */
  statusRateLimit: SessionRateLimit;
}

const CHANGE_PATH = /^\/payment-methods\/changes\/([^/]+)$/;
const DEFAULT_PATH = /^\/payment-methods\/([^/]+)\/default$/;
const METHOD_PATH = /^\/payment-methods\/([^/]+)$/;

/**
 * The saved-method routes: see, switch, remove. The customer is always the caller's (from the token);
 * switches and removals count against the same per-customer budget as sessions, reads against the status
 * budget. Undefined: not one of these paths.
 */
export async function routePaymentMethods(
  deps: PaymentMethodRouteDeps,
  event: HttpEvent,
  method: string,
  path: string,
  readBody: () => Buffer,
): Promise<HttpResult | undefined> {
  const customerOf = async (customer: string | undefined, budget: SessionRateLimit): Promise<string> => {
    const caller = await identifyCaller(deps.auth, event, { customer });
    if (!caller.customerId) {
      throw new ServiceError(
        400,
        'customer_required',
        'customer is required: the Stripe customer whose methods these are.',
      );
    }
    // Before Stripe or the table is asked, so a flood costs the caller's budget, not the account's limit.
    await budget.take(caller.customerId);
    return caller.customerId;
  };
  const pathId = (match: RegExpExecArray) => safeDecode(event.pathParameters?.id ?? match[1] ?? '');

  if (path === '/payment-methods') {
    if (method !== 'GET') throw methodNotAllowed('GET');
    const query = parseQuery(listPaymentMethodsQuery, event.queryStringParameters);
    const customerId = await customerOf(query.customer, deps.statusRateLimit);
    const view = await listPaymentMethods(deps.stripe, customerId, {
      limit: query.limit ?? 10,
      ...(query.starting_after ? { startingAfter: query.starting_after } : {}),
    });
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
    const customerId = await customerOf(request.customer, deps.sessionRateLimit);
    return acceptedResponse(event, await requestMakeDefault(deps, customerId, id, request.subscription));
  }
  const single = METHOD_PATH.exec(path);
  if (single) {
    if (method !== 'DELETE') throw methodNotAllowed('DELETE');
    const id = parsePathId(paymentMethodId, pathId(single));
    const query = parseQuery(removeQuery, event.queryStringParameters);
    const customerId = await customerOf(query.customer, deps.sessionRateLimit);
    return acceptedResponse(event, await requestRemoval(deps, customerId, id, query.replaceWith));
  }
  return undefined;
}

/** Absolute, so a frontend on another origin polls this API rather than its own host. */
function acceptedResponse(event: HttpEvent, accepted: AcceptedChange): HttpResult {
  const statusUrl = apiUrl(event, accepted.statusUrl);
  return jsonResponse(202, { ...accepted, statusUrl }, { location: statusUrl });
}
