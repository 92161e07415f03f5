import type { CheckoutSessionSnapshot, StripeGateway } from '../shared/ports';

/** A session read (StripeGateway's), with the hook that charges the caller just before Stripe is asked. */
export type SessionLookup = StripeGateway['retrieveSetupSession'];

export interface SessionLookupCacheOptions {
  ttlMs: number;
  /** Bounds the instance's memory whatever ids callers send. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A success page polls `GET /checkout-sessions/{id}` every second or so until the defaults are applied;
 * without a cache each poll is a Stripe read, taken from the account's rate limit (25/s in test mode,
 * ~100/s live: https://docs.stripe.com/rate-limits) that the worker and the SaaS share. One lookup answers
 * every poll of that session for `ttlMs` on this function instance, and concurrent polls share one
 * request. Only answers that will not change are kept — a session that is over (expired, or complete with
 * its SetupIntent settled) and "no such session" — so a session completing or a delayed method settling is
 * seen on the next poll; transient failures are not kept either. Only Stripe's view is cached: whether the
 * defaults were applied is read from DynamoDB on every poll.
 */
export function cachedSessionLookup(
  lookup: SessionLookup,
  options: SessionLookupCacheOptions,
  isLasting: (error: unknown) => boolean,
): SessionLookup {
  if (options.ttlMs <= 0) return lookup;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 1000;
  const entries = new Map<string, { until: number; answer: Promise<CheckoutSessionSnapshot> }>();
  const forget = (sessionId: string, answer: Promise<CheckoutSessionSnapshot>) => {
    if (entries.get(sessionId)?.answer === answer) entries.delete(sessionId);
  };
  return (sessionId, beforeRequest) => {
    const at = now();
    const hit = entries.get(sessionId);
    if (hit && hit.until > at) return hit.answer;
    entries.delete(sessionId);
    if (entries.size >= maxEntries) {
      for (const [id, entry] of entries) if (entry.until <= at) entries.delete(id);
      // Still full of live entries: drop the oldest (a Map iterates in insertion order).
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    }
    // Concurrent polls share this request: only the poll that makes it is charged for it.
    const answer = lookup(sessionId, beforeRequest);
    entries.set(sessionId, { until: at + options.ttlMs, answer });
    answer.then(
      (session) => {
        if (!isSettled(session)) forget(sessionId, answer);
      },
      (error: unknown) => {
        if (!isLasting(error)) forget(sessionId, answer);
      },
    );
    return answer;
  };
}

/** Nothing about the session will change any more (delayed methods settle from `processing`). */
export function isSettled(session: CheckoutSessionSnapshot): boolean {
  if (session.status === 'expired') return true;
  const intent = session.setupIntent;
  return session.status === 'complete' && (!intent || ['succeeded', 'canceled'].includes(intent.status));
}
