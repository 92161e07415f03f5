import { ServiceError } from '../shared/errors';
import { type HttpEvent, header } from '../shared/http';

/**
 * The HTML form route is the one a browser posts to by itself, so another site can make a visitor's
 * browser post it (login CSRF: the attacker's token in the hidden field, the victim's card typed into the
 * Checkout that follows, saved on the attacker's customer). Browsers say where a request comes from:
 * `Origin` on every cross-origin POST (https://fetch.spec.whatwg.org/#origin-header) and
 * `Sec-Fetch-Site` (https://www.w3.org/TR/fetch-metadata/); neither can be set by a page's script.
 * A form may be posted only from one of the SaaS's own origins (the CORS list): an `Origin` outside it
 * (`null` included: sandboxed frames, `data:` pages) is refused, and so is a request a browser marks
 * `cross-site` without saying from where. The SaaS's billing page usually lives on another site than the
 * API, so `cross-site` with an allowed `Origin` passes. Non-browser clients send neither header; they
 * cannot be made to post on a victim's behalf, so they are not refused.
 */
export function assertFormPostedFromAllowedOrigin(event: HttpEvent, allowedOrigins: readonly string[]): void {
  const origin = header(event, 'origin')?.trim();
  if (origin !== undefined) {
    if (!allowedOrigins.includes(origin.toLowerCase())) {
      throw crossSite(
        `Forms may be posted only from this service's allowed origins, not ${describe(origin)}.`,
      );
    }
    return;
  }
  if (header(event, 'sec-fetch-site')?.trim().toLowerCase() === 'cross-site') {
    throw crossSite('A cross-site form post without an allowed Origin is refused.');
  }
}

function describe(origin: string): string {
  return /^[\x21-\x7e]{1,200}$/.test(origin) ? origin : 'that origin';
}

function crossSite(message: string): ServiceError {
  return new ServiceError(403, 'cross_site_request', message);
}
