import type { IncomingHttpHeaders } from 'node:http';
import { presentedApiKey } from './api-pipeline';
import { invalidApiKey, invalidRequest } from './errors';

const TEST_MODE_KEY = /^(sk|rk)_test_\S+$/;

/**
 * The control routes change what the stand-in answers (faults, the clock, the networks) and show what it
 * was sent (the request log holds every `setup_proof`), so they take what its `/v1` routes take: a test-mode
 * key in `Authorization` (https://docs.stripe.com/keys). Stripe's own test helpers exist only in test mode,
 * so a live key is refused too.
 */
export function requireTestModeKey(headers: IncomingHttpHeaders): void {
  const key = presentedApiKey(headers.authorization);
  if (key === undefined || key === '') throw invalidApiKey(undefined);
  if (!TEST_MODE_KEY.test(key)) throw invalidApiKey(key);
}

/**
 * Where a control route may send a signed event: the configured webhook endpoint, or a server on this
 * machine's loopback interface. Anything else would let a caller make the stand-in post (with a valid
 * signature) to any host it can reach.
 */
export function assertDeliveryTarget(deliverTo: string, webhookUrl: string | undefined): string {
  if (deliverTo === webhookUrl) return deliverTo;
  let url: URL;
  try {
    url = new URL(deliverTo);
  } catch {
    throw invalidRequest('deliverTo must be an absolute http(s) URL.', { param: 'deliverTo' });
  }
  if (!/^https?:$/.test(url.protocol) || !isLoopbackHost(url.hostname)) {
    throw invalidRequest(
      'deliverTo must be a loopback URL (localhost, 127.0.0.0/8, [::1]) or the webhook URL.',
      {
        param: 'deliverTo',
      },
    );
  }
  return deliverTo;
}

/** Loopback by its address (RFC 1122 §3.2.1.3: 127.0.0.0/8; RFC 4291: ::1) or by the name reserved for it. */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // The URL parser has already written any IPv4 form (`0x7f.1`, `2130706433`) as four decimal octets.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
