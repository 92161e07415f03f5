import { ServiceError, StripeRequestFailed, toServiceError } from '../../functions/shared/errors';

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
