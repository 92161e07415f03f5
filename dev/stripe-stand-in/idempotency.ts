import { idempotencyInProgress, idempotencyMismatch } from './errors';

export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

interface Entry {
  fingerprint: string;
  response: StoredResponse | undefined;
  /** When the first request under the key arrived (epoch ms): retention counts from there. */
  createdAt: number;
}

export type IdempotencyOutcome = { kind: 'execute' } | { kind: 'replay'; response: StoredResponse };

/** "Keys are eligible to be removed … after they're at least 24 hours old" (docs.stripe.com/api/idempotent_requests). */
export const STRIPE_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Stripe's idempotency layer for POSTs (https://docs.stripe.com/api/idempotent_requests): "saves the resulting
 * status code and body of the first request made for any given idempotency key, regardless of whether it
 * succeeds or fails. Subsequent requests with the same key return the same result, including 500 errors." A
 * key reused with other parameters or on another endpoint is an `idempotency_error`; reusing it while its first
 * request runs is a 409. "Results are only saved if an API endpoint began executing": the pipeline abandons a
 * key whose request failed validation, was rate limited, or met a lock timeout. After the retention (24 hours;
 * `setRetention` scales it for drills on a compressed clock) the key is forgotten and a reuse executes anew.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private retentionMs = STRIPE_IDEMPOTENCY_RETENTION_MS;

  constructor(private readonly now: () => number = Date.now) {}

  setRetention(ms: number | undefined): void {
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
      throw new Error(`The idempotency retention must be a positive number of milliseconds (got ${ms}).`);
    }
    this.retentionMs = ms ?? STRIPE_IDEMPOTENCY_RETENTION_MS;
  }

  get retention(): number {
    return this.retentionMs;
  }

  begin(key: string, fingerprint: string): IdempotencyOutcome {
    const now = this.now();
    const existing = this.entries.get(key);
    // A key past its retention is pruned; a request still running under it keeps it until it completes.
    const entry =
      existing !== undefined &&
      existing.response !== undefined &&
      now - existing.createdAt >= this.retentionMs
        ? undefined
        : existing;
    if (entry === undefined) {
      this.entries.set(key, { fingerprint, response: undefined, createdAt: now });
      return { kind: 'execute' };
    }
    if (entry.fingerprint !== fingerprint) throw idempotencyMismatch(key);
    if (entry.response === undefined) throw idempotencyInProgress(key);
    return { kind: 'replay', response: entry.response };
  }

  complete(key: string, response: StoredResponse): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.response = response;
  }

  /** Forgets a key whose request never began executing: Stripe saves no result in that case. */
  abandon(key: string): void {
    this.entries.delete(key);
  }

  /** The answer saved under `key`, if any (tests: what a retry would be replayed). */
  saved(key: string): StoredResponse | undefined {
    return this.entries.get(key)?.response;
  }

  clear(): void {
    this.entries.clear();
    this.retentionMs = STRIPE_IDEMPOTENCY_RETENTION_MS;
  }
}
