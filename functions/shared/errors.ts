/**
 * Errors are values with a type and an HTTP status; `toServiceError` is the one place that maps anything
 * thrown to what a caller may see, so no stack trace, Stripe internals or secret ever reaches a response.
 */

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export type StripeFailureKind =
  | 'not_found'
  | 'invalid_request'
  | 'rate_limited'
  | 'unavailable'
  | 'misconfigured'
  | 'conflict';

/** A failed Stripe request, in the flow's terms. The Stripe SDK's own error classes stay in the adapter. */
export class StripeRequestFailed extends Error {
  constructor(
    readonly kind: StripeFailureKind,
    message: string,
    readonly stripeCode?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'StripeRequestFailed';
  }

  /**
   * Worth trying again later: Stripe was busy, down, unreachable, or hit a lock conflict — or refused our
   * key (expired mid-rotation, a restricted key missing a permission), which an operator fixes, after which
   * the dead-lettered messages are redriven; recording those setups as failed would lose them.
   */
  get retryable(): boolean {
    return ['rate_limited', 'unavailable', 'conflict', 'misconfigured'].includes(this.kind);
  }
}

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof StripeRequestFailed) return fromStripeFailure(error);
  return new ServiceError(500, 'internal_error', 'An unexpected error occurred.');
}

function fromStripeFailure(failure: StripeRequestFailed): ServiceError {
  switch (failure.kind) {
    case 'not_found':
      return new ServiceError(404, 'resource_missing', `Stripe has no such ${failure.param ?? 'object'}.`);
    case 'invalid_request':
      return new ServiceError(
        400,
        failure.stripeCode ?? 'invalid_request',
        failure.param ? `Stripe rejected the value of ${failure.param}.` : 'Stripe rejected the request.',
      );
    case 'rate_limited':
    case 'conflict':
      return new ServiceError(503, 'stripe_busy', 'Stripe is busy; try again shortly.', {
        'retry-after': '1',
      });
    case 'unavailable':
      return new ServiceError(502, 'stripe_unavailable', 'Stripe could not be reached; try again shortly.');
    case 'misconfigured':
      return new ServiceError(
        502,
        'stripe_unavailable',
        'The service cannot reach Stripe with its credentials.',
      );
  }
}
