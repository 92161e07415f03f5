import { isTransientAwsFailure, StripeRequestFailed } from '../shared/errors';
import { SetupBusy } from '../shared/flow/apply-default-payment-method';
import { OutOfTime } from '../shared/invocation-deadline';
import type { FailureKind } from './retry-policy';

/**
 * Sorts what a record's attempt threw: Stripe's retryable failures (429, 409, 5xx, unreachable, a refused
 * key an operator fixes), AWS throttling and 5xx, and a secret refused at first use all pass with time or an
 * operator's fix, so they wait with backoff; anything else is a fault no retry is known to fix.
 */
export function failureKindOf(error: unknown): FailureKind {
  if (error instanceof OutOfTime) return 'out_of_time';
  if (error instanceof SetupBusy) return 'busy';
  if (error instanceof StripeRequestFailed) return error.retryable ? 'transient' : 'unexpected';
  if (error instanceof Error && error.name === 'SecretRefused') return 'transient';
  return isTransientAwsFailure(error) ? 'transient' : 'unexpected';
}
