/** `reset` destroys the socket without answering, like a dropped connection. */
export type FaultStatus = 429 | 500 | 502 | 503 | 'reset';

export interface FaultSpec {
  method?: string;
  /** Tested against the request path without its query string. A string is a regex source. */
  path: RegExp | string;
  /** Omitted: the request is only delayed by `latencyMs`, then served normally. */
  status?: FaultStatus;
  /** How many matching requests this fault applies to; default 1 (unlimited with a probability). */
  times?: number;
  /** Apply to each matching request with this chance (0–1) instead of to every one. */
  probability?: number;
  latencyMs?: number;
}

export interface ActiveFault {
  method: string | undefined;
  path: RegExp;
  status: FaultStatus | undefined;
  remaining: number;
  probability: number;
  latencyMs: number;
}

const FAULT_STATUSES: readonly unknown[] = [429, 500, 502, 503, 'reset'];

export function isFaultStatus(value: unknown): value is FaultStatus {
  return FAULT_STATUSES.includes(value);
}

/** Error bodies shaped so the SDK raises StripeRateLimitError (429) or StripeAPIError (5xx). */
export function faultResponseBody(status: Exclude<FaultStatus, 'reset'>): object {
  if (status === 429) {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message:
          'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
      },
    };
  }
  return {
    error: {
      type: 'api_error',
      message: 'An unknown error occurred while processing your request. Please try again later.',
    },
  };
}

/**
 * Injected failures. They model trouble in front of the API (load balancer, network), so they
 * are applied before authentication and idempotency and never stored under an idempotency key:
 * the SDK's retry with the same key then reaches the real handler.
 */
export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (spec.status !== undefined && !isFaultStatus(spec.status)) {
      throw new Error(`Unsupported fault status: ${String(spec.status)}`);
    }
    this.active.push({
      method: spec.method?.toUpperCase(),
      path: typeof spec.path === 'string' ? new RegExp(spec.path) : spec.path,
      status: spec.status,
      remaining: spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      probability: spec.probability ?? 1,
      latencyMs: spec.latencyMs ?? 0,
    });
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): readonly ActiveFault[] {
    return this.active;
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(method: string, path: string): ActiveFault | undefined {
    const index = this.active.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === method) &&
        fault.path.test(path) &&
        (fault.probability >= 1 || Math.random() < fault.probability),
    );
    const fault = this.active[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.active.splice(index, 1);
    return fault;
  }
}
