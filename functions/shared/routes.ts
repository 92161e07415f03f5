/** The HTTP API's route keys, shared by the CDK stack and the local stack so both serve the same paths. */
export const CHECKOUT_API_ROUTES = [
  'POST /checkout-sessions',
  'GET /checkout-sessions/{id}',
  'POST /create-checkout-session',
  'POST /form-tokens',
  'GET /payment-methods',
  'POST /payment-methods/{id}/default',
  'DELETE /payment-methods/{id}',
  'GET /payment-methods/changes/{id}',
  'GET /u/{token}',
  'POST /update-links',
  'DELETE /update-links/{id}',
] as const;

/** The no-login update link: its signed token is its authorization; no authorizer in front. */
export const UPDATE_LINK_ROUTE = 'GET /u/{token}';

/**
 * Minting and revoking update links name any customer: the SaaS's backend only. Deployed behind IAM
 * (SigV4-signed calls) or, when the operator names a scope, the JWT authorizer with that scope required.
 */
export const BACKEND_ROUTES: readonly string[] = ['POST /update-links', 'DELETE /update-links/{id}'];

export const STRIPE_WEBHOOK_ROUTE = 'POST /webhooks/stripe';

/** The success page's polling route: throttled on its own, as each request may be a Stripe read. */
export const SETUP_STATUS_ROUTE = 'GET /checkout-sessions/{id}';

/**
 * The session routes behind API Gateway's JWT authorizer when auth is on. The HTML form route is not: an
 * authorizer reads only headers and query strings, which a plain form cannot set, so the form carries a
 * short-lived form token the service minted (`POST /form-tokens`, auth/form-token.ts) in a hidden field and
 * the function verifies it. The webhook is authenticated by Stripe's signature.
 */
export const JWT_AUTHORIZED_ROUTES: readonly string[] = [
  'POST /checkout-sessions',
  'POST /form-tokens',
  'GET /checkout-sessions/{id}',
  'GET /payment-methods',
  'POST /payment-methods/{id}/default',
  'DELETE /payment-methods/{id}',
  'GET /payment-methods/changes/{id}',
];

/**
 * A listing reads at most this many pages of a customer's subscriptions (100 each) at request time, so
 * every route's Stripe cost has a ceiling.
 */
export const SUBSCRIPTION_PAGES_PER_REQUEST = 2;

/**
 * The most Stripe calls one request of each route can make: what a caller's Stripe-call budget is charged
 * before the route runs, and what each route's API Gateway throttle is sized by (lib/http-api.ts). Stripe
 * counts requests, not routes (https://docs.stripe.com/rate-limits), so a route that makes four calls may
 * be asked a quarter as often as one that makes one.
 */
export const STRIPE_CALLS_PER_REQUEST: Record<(typeof CHECKOUT_API_ROUTES)[number], number> = {
  // The subscription (when named), then the session.
  'POST /checkout-sessions': 2,
  'POST /create-checkout-session': 2,
  // Signed in the function: no Stripe call.
  'POST /form-tokens': 0,
  // The session with its SetupIntent expanded; charged only when it is read from Stripe, not from the table.
  'GET /checkout-sessions/{id}': 1,
  // The methods' page, the customer, and the subscriptions' pages.
  'GET /payment-methods': 2 + SUBSCRIPTION_PAGES_PER_REQUEST,
  // The method, and the subscription when named.
  'POST /payment-methods/{id}/default': 2,
  // The method, the replacement, the customer, and the subscriptions' pages.
  'DELETE /payment-methods/{id}': 3 + SUBSCRIPTION_PAGES_PER_REQUEST,
  // Read from the table only.
  'GET /payment-methods/changes/{id}': 0,
  // The subscription, then the session; nothing while the link's open session is reused.
  'GET /u/{token}': 2,
  // The subscription and the invoice the link names.
  'POST /update-links': 2,
  // Read and written in the table only.
  'DELETE /update-links/{id}': 0,
};
