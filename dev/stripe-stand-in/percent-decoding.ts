import { invalidRequest } from './errors';

/**
 * A path segment, percent-decoded. RFC 3986 §2.1 allows `%` only as `%` HEXDIG HEXDIG, and the octets must
 * form UTF-8 to name an id; anything else (`%ZZ`, a truncated `%E0%A4%A`) is the caller's mistake, answered
 * as Stripe answers a bad request — 400 `invalid_request_error` — never as the stand-in's 500.
 */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest('The URL path has malformed percent-encoding.', { beforeExecution: true });
  }
}
