/**
 * The Stripe API version this service reads and writes: the one the pinned `stripe` SDK sends
 * (`Stripe.API_VERSION`, a unit test keeps the two equal). Kept as a constant so the webhook bundle need not
 * carry the SDK. The webhook endpoint must be created with this version, because Stripe renders a snapshot
 * event's `data.object` in the endpoint's version (https://docs.stripe.com/webhooks/versioning).
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';
