/** The HTTP API's route keys, shared by the CDK stack and the local stack so both serve the same paths. */
export const CHECKOUT_API_ROUTES = [
  'POST /checkout-sessions',
  'GET /checkout-sessions/{id}',
  'POST /create-checkout-session',
  'GET /payment-methods',
  'POST /payment-methods/{id}/default',
  'DELETE /payment-methods/{id}',
  'GET /payment-methods/changes/{id}',
] as const;

export const STRIPE_WEBHOOK_ROUTE = 'POST /webhooks/stripe';

/** The success page's polling route: throttled on its own, as each request may be a Stripe read. */
export const SETUP_STATUS_ROUTE = 'GET /checkout-sessions/{id}';

/**
 * The session routes behind API Gateway's JWT authorizer when auth is on. The HTML form route is not: an
 * authorizer reads only headers and query strings, which a plain form cannot set, so the form carries the
 * token in a hidden field and the function verifies it. The webhook is authenticated by Stripe's signature.
 */
export const JWT_AUTHORIZED_ROUTES: readonly string[] = [
  'POST /checkout-sessions',
  'GET /checkout-sessions/{id}',
  'GET /payment-methods',
  'POST /payment-methods/{id}/default',
  'DELETE /payment-methods/{id}',
  'GET /payment-methods/changes/{id}',
];
