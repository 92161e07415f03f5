/**
 * `reset` destroys the socket without answering, like a dropped connection. `lock_timeout` is Stripe's 429
 * for an object another request holds locked (https://docs.stripe.com/error-codes/lock-timeout); 409 is a
 * conflicting concurrent request (https://docs.stripe.com/api/errors: "409 Conflict").
 */
export type FaultStatus = 409 | 429 | 500 | 502 | 503 | 'idempotency_error' | 'lock_timeout' | 'reset';

export interface FaultSpec {
  method?: string;
  /**
   * Tested against the request path without its query string. A string is a path pattern (`pathPattern`):
   * the exact path, or a prefix ending in `*`. A RegExp is for in-process callers (the tests' own code).
   */
  path: RegExp | string;
  /** Omitted: the request is only delayed by `latencyMs`, then served normally. */
  status?: FaultStatus;
  /** How many matching requests this fault applies to; default 1 (unlimited with a probability). */
  times?: number;
  /** Apply to each matching request with this chance (0–1) instead of to every one. */
  probability?: number;
  latencyMs?: number;
  /**
   * `after`: the request is served (its effect happens) and then the connection drops, as when Stripe's
   * answer is lost on the way back. `executed` (5xx only): the request is served, then Stripe answers the 5xx
   * and saves it under the request's idempotency key, so a retry with that key is replayed the same 5xx for
   * the key's retention (https://docs.stripe.com/api/idempotent_requests: "including 500 errors"). Default
   * `before`: the request never reaches the API, and nothing is saved under its key.
   */
  phase?: FaultPhase;
}

export type FaultPhase = 'before' | 'after' | 'executed';

/** What a fault's path is tested with: a RegExp, or a `pathPattern`. `source` is how it was written. */
export interface PathMatcher {
  readonly source: string;
  test(path: string): boolean;
}

/**
 * A path pattern from a control request: the exact path, or a prefix when it ends in `*` (`/v1/customers/*`).
 * A caller-supplied regular expression could take exponential time on the stand-in's every request (ReDoS,
 * https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS); a prefix
 * comparison takes time linear in the path.
 */
export function pathPattern(source: string): PathMatcher {
  if (!source.startsWith('/') || source.length > 1024 || source.slice(0, -1).includes('*')) {
    throw new Error(
      'A fault path is the exact path, or a prefix ending in * (e.g. /v1/customers/*), starting with / and at most 1024 characters.',
    );
  }
  const prefix = source.endsWith('*') ? source.slice(0, -1) : undefined;
  return {
    source,
    test: (path) => (prefix === undefined ? path === source : path.startsWith(prefix)),
  };
}

export interface ActiveFault {
  method: string | undefined;
  path: PathMatcher;
  status: FaultStatus | undefined;
  remaining: number;
  probability: number;
  latencyMs: number;
  phase: FaultPhase;
}

const FAULT_STATUSES: readonly unknown[] = [
  409,
  429,
  500,
  502,
  503,
  'idempotency_error',
  'lock_timeout',
  'reset',
];

/** The HTTP status a fault answers with. */
export function faultHttpStatus(status: Exclude<FaultStatus, 'reset'>): number {
  if (status === 'idempotency_error') return 400;
  return status === 'lock_timeout' ? 429 : status;
}

/** Stripe asks clients to retry a lock timeout (the SDK's RequestSender honours `Stripe-Should-Retry`). */
export function faultHeaders(status: Exclude<FaultStatus, 'reset'>): Record<string, string> {
  return status === 'lock_timeout' ? { 'Stripe-Should-Retry': 'true' } : {};
}

export function isFaultStatus(value: unknown): value is FaultStatus {
  return FAULT_STATUSES.includes(value);
}

/** Error bodies shaped so the SDK raises StripeRateLimitError (429) or StripeAPIError (409, 5xx). */
export function faultResponseBody(status: Exclude<FaultStatus, 'reset'>): object {
  if (status === 'lock_timeout') {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'lock_timeout',
        message:
          'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
        doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
      },
    };
  }
  if (status === 'idempotency_error') {
    return {
      error: {
        type: 'idempotency_error',
        message:
          'Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than the one used with the original request.',
      },
    };
  }
  if (status === 409) {
    return {
      error: {
        type: 'idempotency_error',
        message:
          'There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through).',
      },
    };
  }
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
 * Injected failures. `before` and `after` model trouble in front of the API (load balancer, network), so they
 * are applied outside idempotency and never stored under an idempotency key: the SDK's retry with the same key
 * then reaches the real handler (or its saved answer). `executed` models a failure inside Stripe after the
 * endpoint began executing, which Stripe saves under the key like any other answer.
 */
export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (spec.status !== undefined && !isFaultStatus(spec.status)) {
      throw new Error(`Unsupported fault status: ${String(spec.status)}`);
    }
    if (spec.phase === 'executed' && !(spec.status === 500 || spec.status === 502 || spec.status === 503)) {
      throw new Error(
        `An executed-then-answered fault is a 5xx (500, 502 or 503), not ${String(spec.status)}`,
      );
    }
    this.active.push({
      method: spec.method?.toUpperCase(),
      path: typeof spec.path === 'string' ? pathPattern(spec.path) : spec.path,
      status: spec.status,
      remaining: spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      probability: spec.probability ?? 1,
      latencyMs: spec.latencyMs ?? 0,
      phase: spec.phase ?? 'before',
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
