import { isLoopbackHost } from '../shared/config';
import { ServiceError } from '../shared/errors';

/**
 * Stripe sends the customer's browser to successUrl/cancelUrl after Checkout, so a caller-chosen URL is a
 * redirect on this service's behalf: anything but one of the SaaS's own origins would be an open redirect
 * (phishing that starts on checkout.stripe.com). A URL passes only if it is https (http only for localhost,
 * which the stack never allows outside development), carries no user:password@, and its origin — scheme,
 * host and port — is exactly one of the allowed origins. The text must also be plain: backslashes, spaces
 * and control characters are parsed differently by different URL parsers, and Stripe's is not ours.
 * Returns the normalised URL to send to Stripe.
 */
export function assertAllowedRedirect(
  field: string,
  value: string,
  allowedOrigins: readonly string[],
): string {
  // Anything outside printable ASCII other than space and backslash (which URL parsers disagree on).
  if (!/^https?:\/\/[!-[\]-~]+$/i.test(value)) {
    throw refused(field, 'must be a plain absolute https URL');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refused(field, 'must be a plain absolute https URL');
  }
  if (url.username || url.password) throw refused(field, 'must not carry a user name or password');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw refused(field, 'must use https');
  }
  if (!allowedOrigins.includes(url.origin)) {
    throw refused(field, 'must point at one of the origins this service allows');
  }
  // What was checked is what Stripe gets: the parsed, serialised URL (`http://0x7f.0.0.1` is checked as
  // 127.0.0.1 and must be sent as that), so no second parser can read the text differently.
  return url.href;
}

function refused(field: string, problem: string): ServiceError {
  return new ServiceError(400, 'redirect_not_allowed', `${field} ${problem}.`);
}
