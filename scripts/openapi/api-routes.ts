/**
 * The HTTP API, one entry per route: what it takes and what it answers, as the valibot schemas the handlers
 * validate with (functions/checkout-api/requests.ts, the webhook's event schema) and the response schemas
 * (functions/shared/api-responses.ts). `npm run openapi` turns this list into docs/openapi.json; a route added
 * to the API is added here, with its schemas, and the document test fails until it is.
 */
import * as v from 'valibot';
import {
  checkoutSessionId,
  createSessionBody,
  createSessionForm,
  formTokenRequest,
  sessionStatusQuery,
} from '../../functions/checkout-api/requests';
import {
  createdSession,
  errorBody,
  errorCode,
  gatewayMessage,
  mintedFormToken,
  setupStatus,
  webhookReceipt,
} from '../../functions/shared/api-responses';
import { WEBHOOK_EVENT_TYPES } from '../../functions/shared/flow/recovery/recovery-message';
import { stripeEventSchema } from '../../functions/shared/flow/setup-message';
import { PAYMENT_METHOD_ROUTES, PAYMENT_METHOD_SCHEMAS } from './payment-method-routes';
import { type ApiRoute, error, retryAfter, type Schema, unauthorized } from './route-parts';
import { UPDATE_LINK_ROUTES, UPDATE_LINK_SCHEMAS } from './update-link-routes';

export type { ApiResponse, ApiRoute } from './route-parts';

/** The schemas that get a name under components.schemas (and a $ref wherever they are used). */
export const NAMED_SCHEMAS: Record<string, Schema> = {
  Error: errorBody,
  ErrorCode: errorCode,
  GatewayMessage: gatewayMessage,
  CreateSessionRequest: createSessionBody,
  CreateSessionForm: createSessionForm,
  CreatedSession: createdSession,
  FormTokenRequest: formTokenRequest,
  FormToken: mintedFormToken,
  SetupStatus: setupStatus,
  StripeEvent: stripeEventSchema,
  WebhookReceipt: webhookReceipt,
  ...PAYMENT_METHOD_SCHEMAS,
  ...UPDATE_LINK_SCHEMAS,
};

const stripeFailures = {
  502: error('Stripe failed or could not be reached.'),
  503: {
    ...error('Stripe is rate limiting, or the service cannot read its secrets right now.'),
    headers: retryAfter,
  },
};
const sessionCreation = {
  400: error('A field is malformed or unknown, or a redirect URL is not allowed.'),
  403: error(
    'The customer is not the caller’s (`customer_mismatch`) or the subscription not the customer’s (`subscription_not_owned`).',
  ),
  404: error('Stripe has no such customer or subscription.'),
  409: error(
    'The subscription is canceled or incomplete_expired (`subscription_inactive`), or may be paid only by types Checkout cannot save (`subscription_methods_not_saveable`).',
  ),
  413: error('The body is over 16 KiB.'),
  415: error('Wrong Content-Type.'),
  429: { ...error('More than the per-customer number of sessions in a minute.'), headers: retryAfter },
  ...stripeFailures,
};

export const API_ROUTES: ApiRoute[] = [
  {
    routeKey: 'POST /checkout-sessions',
    operationId: 'createCheckoutSession',
    summary: 'Start a Stripe Checkout session in setup mode for the caller’s customer',
    description:
      'The customer is the token’s claim; redirect the browser to `url`. After Checkout, the new payment method becomes the default for the customer and the subscription.',
    auth: 'bearer',
    body: { contentType: 'application/json', schema: createSessionBody },
    responses: {
      201: {
        description: 'Created.',
        body: createdSession,
        headers: { Location: 'The session’s status URL.' },
      },
      401: unauthorized,
      ...sessionCreation,
    },
  },
  {
    routeKey: 'POST /create-checkout-session',
    operationId: 'createCheckoutSessionFromForm',
    summary: 'The same, from a plain HTML form: answers a redirect to Checkout',
    description:
      'A form cannot send an Authorization header, so with auth on the hidden `token` field carries a form token from `POST /form-tokens` (never the identity provider’s token, which this route refuses) and the function verifies it.',
    auth: 'none',
    body: { contentType: 'application/x-www-form-urlencoded', schema: createSessionForm },
    responses: {
      303: { description: 'See Other: to Stripe Checkout.', headers: { Location: 'The Checkout page.' } },
      401: error(
        'Missing, expired or invalid form token in the `token` field (a sign-in token is invalid here).',
      ),
      ...sessionCreation,
      403: error(
        'Posted from another site than the allowed origins (`cross_site_request`), or the customer or subscription is not the caller’s.',
      ),
    },
  },
  {
    routeKey: 'POST /form-tokens',
    operationId: 'createFormToken',
    summary: 'A short-lived token for the HTML form route, for the caller’s customer',
    description:
      'Minted by the service (HS256 with its own key, its own audience), valid for 15 minutes and only on `POST /create-checkout-session`: a page that renders the form carries this rather than a bearer token for the API. The body may be empty.',
    auth: 'bearer',
    body: { contentType: 'application/json', schema: formTokenRequest },
    responses: {
      201: { description: 'Minted.', body: mintedFormToken },
      400: error('The body is malformed, or (without auth) names no customer.'),
      401: unauthorized,
      403: error('`customer` names another customer than the caller’s.'),
      413: error('The body is over 16 KiB.'),
      415: error('Wrong Content-Type.'),
    },
  },
  {
    routeKey: 'GET /checkout-sessions/{id}',
    operationId: 'getCheckoutSessionStatus',
    summary: 'A session’s status, and whether its payment method is now the default',
    description:
      'Answers only the caller’s own sessions: another customer’s is 404, like a missing one. A completed session the webhook has not delivered yet is enqueued from here.',
    auth: 'bearer',
    pathParameters: { id: checkoutSessionId },
    query: sessionStatusQuery,
    responses: {
      200: { description: 'The session and its processing.', body: setupStatus },
      400: error('The id or the query is malformed.'),
      401: unauthorized,
      403: error('`customer` names another customer than the caller’s.'),
      404: error('No such session for this caller.'),
      429: { ...error('More than the caller’s status requests in a minute.'), headers: retryAfter },
      ...stripeFailures,
    },
  },
  {
    routeKey: 'POST /webhooks/stripe',
    operationId: 'receiveStripeEvent',
    summary: 'Stripe’s webhook endpoint: verified, then queued for the worker',
    description:
      'Authenticated by the `Stripe-Signature` header (HMAC-SHA256 of the raw body with the endpoint’s signing secret, 300 s tolerance). 2xx only once the event is safely queued or needs no work, so Stripe retries everything else. Subscribe the endpoint to: ' +
      WEBHOOK_EVENT_TYPES.map((type) => `\`${type}\``).join(', ') +
      '. The worker reads every queued event back from Stripe (`events.retrieve`) before acting on it.',
    auth: 'none',
    headers: {
      'Stripe-Signature': {
        schema: v.string(),
        required: true,
        description: '`t=<unix time>,v1=<hex HMAC>` as Stripe sends it.',
      },
    },
    body: { contentType: 'application/json', schema: stripeEventSchema, description: 'A Stripe event.' },
    responses: {
      200: { description: 'Queued, or ignored (not an event this service handles).', body: webhookReceipt },
      400: error('Bad signature, malformed event, wrong mode or a connected account’s event.'),
      413: error('The body is over 256 KiB.'),
      415: error('Wrong Content-Type.'),
      503: error('The queue or the signing secrets are unavailable: Stripe will retry.'),
    },
  },
  ...PAYMENT_METHOD_ROUTES,
  ...UPDATE_LINK_ROUTES,
];
