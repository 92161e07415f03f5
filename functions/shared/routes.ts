/** The HTTP API's route keys, shared by the CDK stack and the local stack so both serve the same paths. */
export const CHECKOUT_API_ROUTES = [
  'POST /checkout-sessions',
  'GET /checkout-sessions/{id}',
  'POST /create-checkout-session',
] as const;

export const STRIPE_WEBHOOK_ROUTE = 'POST /webhooks/stripe';
