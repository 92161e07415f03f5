/**
 * Reads the claim that names the caller's Stripe customer. The configured name is tried first as one claim
 * name, exactly — Auth0's namespaced custom claims are URLs such as `https://app.example.com/customer`, dots
 * included (https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims) — and only then as a
 * dot path into nested objects, as identity providers that keep app data in an object put it there
 * (Auth0's and Supabase's `app_metadata.stripe_customer_id`).
 */
export function readCustomerClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  if (!isClaimPath(name)) return undefined;
  let value: unknown = claims;
  for (const segment of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A name with dots and no empty segment (`a.b`, not `.a`, `a..b` or `a.`) is also read as a path. */
export function isClaimPath(name: string): boolean {
  return name.includes('.') && name.split('.').every((segment) => segment !== '');
}

/** What the claim must hold: a Stripe customer id. */
export function isStripeCustomerId(value: unknown): value is string {
  return typeof value === 'string' && /^cus_\w{1,250}$/.test(value);
}
