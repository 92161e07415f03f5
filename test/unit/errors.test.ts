import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { InternalServiceError } from '@aws-sdk/client-secrets-manager';
import { RequestThrottled } from '@aws-sdk/client-sqs';
import {
  isTransientAwsFailure,
  ServiceError,
  StripeRequestFailed,
  toServiceError,
} from '../../functions/shared/errors';

describe('Stripe failures, in the flow’s terms', () => {
  it.each([
    ['rate_limited', true],
    ['unavailable', true],
    ['conflict', true],
    // A refused key (expired mid-rotation, missing permission) waits in the DLQ for the fix, not "failed".
    ['misconfigured', true],
    ['not_found', false],
    ['invalid_request', false],
  ] as const)('%s is retryable: %s', (kind, retryable) => {
    expect(new StripeRequestFailed(kind, 'x').retryable).toBe(retryable);
  });

  it.each([
    ['not_found', 404, 'resource_missing'],
    ['invalid_request', 400, 'invalid_request'],
    ['rate_limited', 503, 'stripe_busy'],
    ['unavailable', 502, 'stripe_unavailable'],
    ['misconfigured', 502, 'stripe_unavailable'],
  ] as const)('%s answers %i %s, without Stripe’s own message', (kind, status, code) => {
    const mapped = toServiceError(new StripeRequestFailed(kind, 'No such customer: cus_secret123 (req_abc)'));
    expect(mapped).toMatchObject({ status, code });
    expect(mapped.message).not.toContain('req_abc');
  });

  it('anything unexpected is a bare 500 with no detail', () => {
    const mapped = toServiceError(new TypeError('Cannot read properties of undefined (reading "sk_live_x")'));
    expect(mapped).toEqual(new ServiceError(500, 'internal_error', 'An unexpected error occurred.'));
  });
});

describe('AWS failures past the SDK retries (the SDK’s own error classes as the oracle)', () => {
  const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

  it.each([
    [
      'DynamoDB throughput exceeded',
      new ProvisionedThroughputExceededException({ message: 'x', ...metadata(400) }),
    ],
    ['DynamoDB internal error', new InternalServerError({ message: 'x', ...metadata(500) })],
    ['SQS RequestThrottled', new RequestThrottled({ message: 'x', ...metadata(403) })],
    [
      'Secrets Manager InternalServiceError, wrapped by Powertools',
      new Error('GetParameterError', {
        cause: new InternalServiceError({ message: 'x', ...metadata(500) }),
      }),
    ],
  ])('%s is a 503 with Retry-After', (_name, error) => {
    expect(isTransientAwsFailure(error)).toBe(true);
    const failure = toServiceError(error);
    expect([failure.status, failure.code, failure.headers['retry-after']]).toEqual([
      503,
      'service_unavailable',
      '1',
    ]);
  });

  it('a failed condition or a validation error is not transient', () => {
    expect(
      isTransientAwsFailure(new ConditionalCheckFailedException({ message: 'x', ...metadata(400) })),
    ).toBe(false);
    expect(toServiceError(new Error('ValidationException')).status).toBe(500);
  });
});
