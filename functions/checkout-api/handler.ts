import type { CheckoutConfig } from '../shared/config';
import { ServiceError, toServiceError } from '../shared/errors';
import { createCheckoutSession } from '../shared/flow/create-checkout-session';
import { getSetupStatus } from '../shared/flow/setup-status';
import {
  errorResponse,
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  rawBody,
  requestLine,
  requireMediaType,
} from '../shared/http';
import { describeError, type Logger } from '../shared/logger';
import type { EventQueue, SetupRecords, StripeGateway } from '../shared/ports';
import { identifyCaller, identifyOptionalCaller } from './caller';
import { parseCreateSessionForm, parseCreateSessionJson, parseSessionId } from './requests';

export interface CheckoutApiDeps {
  stripe: StripeGateway;
  records: SetupRecords;
  queue: EventQueue;
  checkout: CheckoutConfig;
  log: Logger;
}

const SESSION_PATH = /^\/checkout-sessions\/([^/]+)$/;

/** The session API: create setup sessions (JSON or the seed's HTML form) and report a session's status. */
export function buildCheckoutApiHandler(deps: CheckoutApiDeps): (event: HttpEvent) => Promise<HttpResult> {
  async function route(event: HttpEvent): Promise<HttpResult> {
    const { method, path } = requestLine(event);
    if (path === '/checkout-sessions') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      requireMediaType(event, 'application/json');
      const body = parseCreateSessionJson(rawBody(event));
      const caller = identifyCaller(event, body.customer);
      const session = await createCheckoutSession(deps, {
        customerId: caller.customerId,
        subscriptionId: body.subscription,
        successUrl: body.successUrl,
        cancelUrl: body.cancelUrl,
        currency: body.currency,
      });
      return jsonResponse(201, session, { location: `/checkout-sessions/${session.id}` });
    }
    if (path === '/create-checkout-session') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      requireMediaType(event, 'application/x-www-form-urlencoded');
      const form = parseCreateSessionForm(rawBody(event));
      const caller = identifyCaller(event, form.customer);
      const session = await createCheckoutSession(deps, {
        customerId: caller.customerId,
        subscriptionId: form.subscription,
      });
      // Redirecting to session.url is the supported way into Checkout (Stripe.js redirectToCheckout is gone).
      return { statusCode: 303, headers: { location: session.url, 'cache-control': 'no-store' }, body: '' };
    }
    const match = SESSION_PATH.exec(path);
    if (match) {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const sessionId = parseSessionId(decodeURIComponent(event.pathParameters?.id ?? match[1] ?? ''));
      const status = await getSetupStatus(deps, sessionId, identifyOptionalCaller(event)?.customerId);
      return jsonResponse(200, status);
    }
    throw new ServiceError(404, 'route_not_found', `No route for ${method} ${path}.`);
  }

  return async (event) => {
    try {
      return await route(event);
    } catch (error) {
      const failure = toServiceError(error);
      const log = failure.status >= 500 ? deps.log.error : deps.log.info;
      log('request failed', { status: failure.status, code: failure.code, ...describeError(error) });
      return errorResponse(failure);
    }
  };
}

function methodNotAllowed(allowed: string): ServiceError {
  return new ServiceError(405, 'method_not_allowed', `Use ${allowed} for this path.`, { allow: allowed });
}
