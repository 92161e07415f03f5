import type { FormTokens } from '../shared/auth/form-token';
import type { CheckoutConfig } from '../shared/config';
import { ServiceError, toServiceError } from '../shared/errors';
import { createCheckoutSession } from '../shared/flow/create-checkout-session';
import { getSetupStatus } from '../shared/flow/setup-status';
import {
  apiUrl,
  errorResponse,
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  methodNotAllowed,
  rawBody,
  requestLine,
  requireMediaType,
  SECURITY_HEADERS,
  safeDecode,
} from '../shared/http';
import { describeError, type Logger } from '../shared/logger';
import type { EventQueue, SessionCompletions, SetupRecords, StripeGateway } from '../shared/ports';
import { STRIPE_CALLS_PER_REQUEST } from '../shared/routes';
import type { SetupProof } from '../shared/setup-proof';
import { type Caller, type CallerAuth, identifyCaller, identifyFormCaller } from './caller';
import { assertFormPostedFromAllowedOrigin } from './cross-site';
import { type PaymentMethodRouteDeps, routePaymentMethods } from './payment-method-routes';
import { assertAllowedRedirect } from './redirect-urls';
import {
  MAX_REQUEST_BODY_BYTES,
  parseCreateSessionForm,
  parseCreateSessionJson,
  parseFormTokenRequest,
  parseSessionId,
  parseSessionStatusQuery,
} from './requests';
import type { SessionRateLimit } from './session-rate-limit';
import type { StripeCallBudget } from './stripe-call-budget';
import { routeUpdateLinks, type UpdateLinkRouteDeps } from './update-link-routes';

export interface CheckoutApiDeps
  extends Omit<
    PaymentMethodRouteDeps,
    'stripe' | 'auth' | 'sessionRateLimit' | 'statusRateLimit' | 'stripeCalls'
  > {
  stripe: StripeGateway;
  records: SetupRecords;
  /** The webhook's records of completed sessions, which answer their status without Stripe. */
  completions: Pick<SessionCompletions, 'get'>;
  queue: EventQueue;
  checkout: CheckoutConfig;
  auth: CallerAuth;
  /** Origins a caller's successUrl/cancelUrl may point at and the form may be posted from (as CORS). */
  allowedRedirectOrigins: readonly string[];
  sessionRateLimit: SessionRateLimit;
  /** Per-caller budget of status reads, taken before the Stripe lookup. */
  statusRateLimit: SessionRateLimit;
  /** Each caller's Stripe calls, charged before a route reaches Stripe (the status route: only if it does). */
  stripeCalls: StripeCallBudget;
  setupProof: SetupProof;
  /** Mints and checks the HTML form route's short-lived tokens. */
  formTokens: FormTokens;
  /** Sessions older than this are never enqueued from the status path (Stripe's retry window). */
  retryWindowSeconds: number;
  log: Logger;
  now?: () => number;
  /** The update links' store, signer and settings (the rest of their deps are shared with the session API). */
  updateLinks: Pick<
    UpdateLinkRouteDeps,
    'links' | 'tokens' | 'baseUrl' | 'linkDays' | 'recoveryStripe' | 'updateLinksScope'
  >;
}

const SESSION_PATH = /^\/checkout-sessions\/([^/]+)$/;

/** The session API: create setup sessions (JSON or the seed's HTML form) and report a session's status. */
export function buildCheckoutApiHandler(deps: CheckoutApiDeps): (event: HttpEvent) => Promise<HttpResult> {
  const now = deps.now ?? Date.now;
  /** Validate, identify, count against the caller's budget — all before any Stripe call. */
  async function requireCustomer(identified: Promise<Caller>, calls: number): Promise<string> {
    const caller = await identified;
    if (!caller.customerId) {
      throw new ServiceError(
        400,
        'customer_required',
        'customer is required: the Stripe customer whose card is saved.',
      );
    }
    await deps.sessionRateLimit.take(caller.customerId);
    await deps.stripeCalls.spend(caller.customerId, calls);
    return caller.customerId;
  }

  async function route(event: HttpEvent): Promise<HttpResult> {
    const { method, path } = requestLine(event);
    if (path === '/checkout-sessions') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      requireMediaType(event, 'application/json');
      const body = parseCreateSessionJson(boundedBody(event));
      const successUrl =
        body.successUrl && assertAllowedRedirect('successUrl', body.successUrl, deps.allowedRedirectOrigins);
      const cancelUrl =
        body.cancelUrl && assertAllowedRedirect('cancelUrl', body.cancelUrl, deps.allowedRedirectOrigins);
      const returnUrl =
        body.returnUrl && assertAllowedRedirect('returnUrl', body.returnUrl, deps.allowedRedirectOrigins);
      assertUiModeFields(body);
      const customerId = await requireCustomer(
        identifyCaller(deps.auth, event, { customer: body.customer }),
        STRIPE_CALLS_PER_REQUEST['POST /checkout-sessions'],
      );
      const session = await createCheckoutSession(deps, {
        customerId,
        subscriptionId: body.subscription,
        successUrl,
        cancelUrl,
        currency: body.currency,
        ...(body.uiMode ? { uiMode: body.uiMode } : {}),
        returnUrl,
      });
      return jsonResponse(201, session, { location: apiUrl(event, `/checkout-sessions/${session.id}`) });
    }
    if (path === '/create-checkout-session') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      // Before the token is even read: a cross-site post is refused whoever's token it carries.
      assertFormPostedFromAllowedOrigin(event, deps.allowedRedirectOrigins);
      requireMediaType(event, 'application/x-www-form-urlencoded');
      const form = parseCreateSessionForm(boundedBody(event));
      const customerId = await requireCustomer(
        identifyFormCaller(deps.auth, deps.formTokens, form, now() / 1000),
        STRIPE_CALLS_PER_REQUEST['POST /create-checkout-session'],
      );
      const session = await createCheckoutSession(deps, { customerId, subscriptionId: form.subscription });
      if (!('url' in session)) throw new Error('a hosted session came back without a url');
      // Redirecting to session.url is the supported way into Checkout (Stripe.js redirectToCheckout is gone).
      return { statusCode: 303, headers: { ...SECURITY_HEADERS, location: session.url }, body: '' };
    }
    if (path === '/form-tokens') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      const raw = boundedBody(event);
      if (raw.length > 0) requireMediaType(event, 'application/json');
      const body = parseFormTokenRequest(raw);
      const caller = await identifyCaller(deps.auth, event, { customer: body.customer });
      if (!caller.customerId) {
        throw new ServiceError(
          400,
          'customer_required',
          'customer is required: the Stripe customer the form is for.',
        );
      }
      return jsonResponse(201, await deps.formTokens.mint(caller.customerId, now() / 1000));
    }
    const match = SESSION_PATH.exec(path);
    if (match) {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const sessionId = parseSessionId(safeDecode(event.pathParameters?.id ?? match[1] ?? ''));
      const query = parseSessionStatusQuery(event.queryStringParameters);
      const caller = await identifyCaller(deps.auth, event, { customer: query.customer });
      const callerKey = caller.customerId ?? `ip:${event.requestContext?.http?.sourceIp}`;
      await deps.statusRateLimit.take(callerKey);
      // Charged just before Stripe is asked, so made-up ids cost the caller's budget rather than the
      // account's limit; a poll answered from the table (the webhook's record, the shared view) costs none.
      const chargeStripeRead = () =>
        deps.stripeCalls.spend(callerKey, STRIPE_CALLS_PER_REQUEST['GET /checkout-sessions/{id}']);
      // Another customer's session answers 404, exactly like a missing one, so ids cannot be probed.
      const status = await getSetupStatus(deps, sessionId, caller.customerId ?? undefined, chargeStripeRead);
      return jsonResponse(200, status);
    }
    const updateLinks = await routeUpdateLinks({ ...deps, ...deps.updateLinks }, event, method, path, () =>
      boundedBody(event),
    );
    if (updateLinks) return updateLinks;
    const paymentMethods = await routePaymentMethods(deps, event, method, path, () => boundedBody(event));
    if (paymentMethods) return paymentMethods;
    throw new ServiceError(404, 'route_not_found', `No route for ${method} ${path}.`);
  }

  return async (event) => {
    try {
      return await route(event);
    } catch (error) {
      const failure = toServiceError(error);
      // A 503 asks the caller to retry (AWS or Stripe briefly unavailable): a warning, not an error.
      const log =
        failure.status === 503 ? deps.log.warn : failure.status >= 500 ? deps.log.error : deps.log.info;
      log('request failed', { status: failure.status, code: failure.code, ...describeError(error) });
      return errorResponse(failure);
    }
  };
}

/**
 * Stripe refuses `success_url`/`cancel_url` on an embedded session and `return_url` on a hosted one
 * (Sessions.d.ts SessionCreateParams: "not allowed if ui_mode is `embedded_page`"; `return_url` "applies to
 * Checkout Sessions with `ui_mode: embedded_page`"): refused here first, naming our field.
 */
function assertUiModeFields(body: {
  uiMode?: string;
  successUrl?: string;
  cancelUrl?: string;
  returnUrl?: string;
}) {
  const embedded = body.uiMode === 'embedded_page';
  const wrong = embedded
    ? (['successUrl', 'cancelUrl'] as const).find((field) => body[field] !== undefined)
    : body.returnUrl !== undefined
      ? 'returnUrl'
      : undefined;
  if (wrong) {
    throw new ServiceError(
      400,
      'invalid_request',
      embedded
        ? `${wrong} does not apply to uiMode embedded_page; use returnUrl.`
        : 'returnUrl applies only to uiMode embedded_page.',
    );
  }
}

function boundedBody(event: HttpEvent): Buffer {
  const body = rawBody(event);
  if (body.length > MAX_REQUEST_BODY_BYTES) {
    throw new ServiceError(
      413,
      'payload_too_large',
      `The body must be at most ${MAX_REQUEST_BODY_BYTES} bytes.`,
    );
  }
  return body;
}
