import type { components } from './api-types.js';

type SetupStatus = components['schemas']['SetupStatus'];
type ChangeStatus = components['schemas']['ChangeStatus'];

/**
 * Which statuses are final. A setup or change is `queued`/`processing` on its way, `pending` while a bank
 * confirms a delayed method (can take days), and ends `applied` (the method is the default), `superseded`
 * (a newer setup or change won; nothing more will happen to this one) or `failed` (see `failureCode`).
 */
export const TERMINAL_STATUSES = {
  queued: false,
  processing: false,
  pending: false,
  not_started: false,
  applied: true,
  superseded: true,
  failed: true,
} as const satisfies Record<SetupStatus['processing']['status'] | ChangeStatus['status'], boolean>;

/** A session's outcome is final when its processing is, or when Checkout expired before it was completed. */
export function isSessionSettled(status: SetupStatus): boolean {
  return (
    TERMINAL_STATUSES[status.processing.status] || (status.status === 'expired' && !status.defaultsApplied)
  );
}

export function isChangeSettled(status: ChangeStatus): boolean {
  return TERMINAL_STATUSES[status.status];
}

export interface WaitOptions<T> {
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Give up after this long (default 120 000 ms): rejects with a WaitTimeoutError holding the last status. */
  timeoutMs?: number;
  /** First delay between polls (default 500 ms); it grows by half each poll up to `maxDelayMs` (5 000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Each status seen, final or not: to show "waiting for your bank…" while pending, say. */
  onUpdate?: (status: T) => void;
}

export class WaitTimeoutError<T> extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(readonly last: T | undefined) {
    super('Gave up waiting for a final status');
  }
}

/** Resolves after `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
