/**
 * Every `error.code` the API can answer, with what it means for a caller. `ServiceError` takes only these,
 * so a new code is a compile error until it is described here; `npm run openapi` writes them into the
 * document's `ErrorCode` schema (an `enum` with `x-enumDescriptions`), and the typed client's `ApiError`
 * code is generated from that.
 */
export const ERROR_CODES = {
  // The request itself
  invalid_request:
    'A field, query parameter or path id is malformed, missing or unknown; the message says which.',
  invalid_json: 'The body is not valid JSON.',
  payload_too_large: 'The body is over the route’s limit (16 KiB for the API, 256 KiB for the webhook).',
  unsupported_media_type: 'Wrong Content-Type for the route.',
  method_not_allowed: 'The path exists, but not for this method; `Allow` names the ones it takes.',
  route_not_found: 'No such route.',
  redirect_not_allowed: 'successUrl, cancelUrl or returnUrl is not on one of the allowed origins.',
  cross_site_request: 'The form was posted from a site other than the allowed origins.',
  host_not_allowed: 'Local stack only: the Host header is not this server’s own address.',
  dev_token_unavailable: 'Local stack only: `POST /_dev/token` needs the local token issuer (auth on).',
  customer_not_allowed:
    'Local stack only: `/_dev/token` signs in only the demo’s customers (DEMO_CUSTOMERS).',
  // Who is calling
  unauthenticated: 'Missing, malformed, expired or foreign token.',
  no_customer_claim:
    'The token is valid but names no Stripe customer: create the customer and set the claim first.',
  customer_mismatch: '`customer` names another customer than the token’s.',
  customer_required: 'Unauthenticated dev stage only: `customer` is required.',
  // What the request names
  subscription_not_found: 'Stripe has no such subscription.',
  subscription_not_owned: 'The subscription is not the caller’s customer’s.',
  subscription_inactive: 'The subscription is canceled or incomplete_expired: nothing left to update.',
  subscription_not_chargeable: 'The subscription can no longer be charged, so it takes no default.',
  currency_mismatch: '`currency` differs from the subscription’s.',
  subscription_methods_not_saveable:
    'The subscription may only be paid by types Checkout cannot save (credit transfers, the customer balance).',
  payment_method_not_accepted:
    'The method cannot pay the subscription: its currency or `payment_settings.payment_method_types` leave the method’s type out (the message says which).',
  session_not_found: 'No such Checkout Session for this caller (another customer’s answers the same).',
  payment_method_not_found:
    'No such saved payment method for this caller (another customer’s answers the same).',
  payment_method_in_use: 'The method is a default or pays a subscription: remove it with `replaceWith`.',
  change_not_found: 'No such change for this caller.',
  change_pending:
    'An earlier change about the same method is not applied yet (the message names it): poll its status, then retry.',
  invoice_not_found: 'Stripe has no such invoice.',
  invoice_not_owned: 'The invoice is not the named customer’s.',
  link_not_found: 'No such update link.',
  link_used: 'The update link was already used; there is nothing left to revoke.',
  backend_only:
    'Update links are minted and revoked by the SaaS’s backend only: an IAM-signed call or a token with the configured scope.',
  resource_missing: 'Stripe has no such object (a `starting_after` that is not this customer’s method, say).',
  // Budgets and outages: try again after `Retry-After`
  rate_limited: 'Over the per-customer budget for a minute; `Retry-After` says when to try again.',
  rate_limit_unavailable: 'The budget could not be checked right now; try again after `Retry-After`.',
  stripe_busy: 'Stripe is rate limiting or holds a lock on the object; try again after `Retry-After`.',
  stripe_unavailable: 'Stripe failed, could not be reached, or refused the service’s key.',
  service_unavailable: 'AWS is briefly throttling or failing; try again after `Retry-After`.',
  auth_unavailable: 'The token cannot be verified right now (the issuer’s keys are unreachable).',
  service_misconfigured:
    'The deployment is not configured to serve requests (an operator must fix a setting).',
  internal_error: 'An unexpected error; nothing about it is revealed.',
  // The Stripe webhook endpoint
  invalid_signature: 'The Stripe-Signature header is missing, malformed, stale or does not match.',
  invalid_event: 'The signed body is not a Stripe event this endpoint can read.',
  livemode_mismatch: 'A live-mode event reached a test-mode deployment, or the reverse.',
  thin_event_unsupported: 'A thin event: set the event destination’s payload style to Snapshot.',
  secrets_unavailable: 'The webhook signing secrets cannot be read right now; Stripe retries.',
  queue_unavailable: 'The event could not be queued; Stripe retries.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
