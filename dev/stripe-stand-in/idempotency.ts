import { idempotencyInProgress, idempotencyMismatch } from './errors';

export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

interface Entry {
  fingerprint: string;
  response: StoredResponse | undefined;
}

export type IdempotencyOutcome = { kind: 'execute' } | { kind: 'replay'; response: StoredResponse };

/**
 * Stripe's idempotency layer for POSTs: the first executed response under a key is replayed for
 * later requests with that key; a different endpoint or different parameters is an
 * `idempotency_error`, and so is reusing a key while its first request is still running (409).
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  begin(key: string, fingerprint: string): IdempotencyOutcome {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { fingerprint, response: undefined });
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

  /** Forgets a key whose request failed validation: Stripe saves no result in that case. */
  abandon(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
