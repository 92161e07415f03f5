/**
 * Errors are values with a type and an HTTP status; `toServiceError` is the one place that maps anything
 * thrown to what a caller may see, so no stack trace, Stripe internals or secret ever reaches a response.
 */

import type { ErrorCode } from './error-codes';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
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

/**
 * What a failed outcome says about a Stripe refusal, in the service's own words: Stripe's message text is
 * written for the account's developers, may quote ids and parameters, and can change at any time, so no
 * answer or outcome event carries it (the code and parameter do).
 */
export function failureMessageOf(failure: StripeRequestFailed): string {
  switch (failure.kind) {
    case 'not_found':
      return `Stripe no longer has the ${failure.param ?? 'object'} this needs (deleted, detached or canceled meanwhile).`;
    case 'invalid_request':
      return `Stripe refused the update${failure.param ? ` (${failure.param})` : ''}.`;
    default:
      return 'Stripe could not apply the update.';
  }
}

/**
 * Error codes AWS documents as throttling or passing faults (DynamoDB's "Error handling", the SQS and
 * Secrets Manager API references, and the SDK's own retry classification). An AWS call that still fails
 * with one of these after the SDK's retries is worth trying again in a moment, not an internal error.
 */
const TRANSIENT_AWS_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalServerError',
  'InternalError',
  'InternalFailure',
  'InternalException',
  'InternalServiceError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'OutcomeEventRefused',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** An AWS SDK failure (or one wrapped by Powertools, as `cause`) that passes: throttling, a 5xx, the network. */
export function isTransientAwsFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const details = current as Error & {
      $metadata?: { httpStatusCode?: number };
      $retryable?: unknown;
      code?: unknown;
    };
    if (TRANSIENT_AWS_CODES.has(details.name) || details.$retryable) return true;
    if ((details.$metadata?.httpStatusCode ?? 0) >= 500) return true;
    if (typeof details.code === 'string' && NETWORK_CODES.has(details.code)) return true;
    current = details.cause;
  }
  return false;
}

/** What a caller sees while AWS throttles or fails: try again shortly, as after Stripe's rate limit. */
export function awsUnavailable(what: string): ServiceError {
  return new ServiceError(503, 'service_unavailable', `${what} Try again shortly.`, {
    'retry-after': '1',
  });
}

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  // A secret or setting refused at first use (a live key on a test deployment, say): the operator's to fix,
  // alarmed as SecretsRefused; the caller learns only that the service cannot serve it now.
  if (error instanceof Error && error.name === 'SecretRefused') {
    return new ServiceError(503, 'service_misconfigured', 'The service is not configured to serve requests.');
  }
  if (error instanceof StripeRequestFailed) return fromStripeFailure(error);
  if (isTransientAwsFailure(error)) return awsUnavailable('The service is briefly unavailable.');
  return new ServiceError(500, 'internal_error', 'An unexpected error occurred.');
}

function fromStripeFailure(failure: StripeRequestFailed): ServiceError {
  switch (failure.kind) {
    case 'not_found':
      return new ServiceError(404, 'resource_missing', `Stripe has no such ${failure.param ?? 'object'}.`);
    case 'invalid_request':
      // One stable code whatever Stripe's own was: Stripe's codes are an open set a client cannot branch on.
      return new ServiceError(
        400,
        'invalid_request',
        `${failure.param ? `Stripe rejected the value of ${failure.param}` : 'Stripe rejected the request'}${failure.stripeCode ? ` (${failure.stripeCode})` : ''}.`,
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
