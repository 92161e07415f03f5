import type { components } from './api-types.js';

/** Every `error.code` the API can answer (the OpenAPI document's ErrorCode enum). */
export type ErrorCode = components['schemas']['ErrorCode'];

/**
 * A non-2xx answer. `code` is always one of the API's codes: API Gateway's own answers, which carry only a
 * `message` (its JWT authorizer's 401, stage throttling's 429, its 5xx), are given the code that means the
 * same, and a network failure or an unreadable body is `service_unavailable`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Seconds the API asked to wait (`Retry-After`), when it did. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Worth trying again after `retryAfterSeconds` (or a moment): a budget, or a passing outage. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503;
  }
}

const GATEWAY_CODES: Record<number, ErrorCode> = {
  401: 'unauthenticated',
  403: 'unauthenticated',
  404: 'route_not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
};

function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** The ApiError a non-2xx response stands for. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const retryAfter = retryAfterOf(response);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(response.status, error.code as ErrorCode, String(error.message ?? ''), retryAfter);
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  const code =
    GATEWAY_CODES[response.status] ?? (response.status >= 500 ? 'service_unavailable' : 'invalid_request');
  return new ApiError(
    response.status,
    code,
    typeof message === 'string' ? message : `HTTP ${response.status}`,
    retryAfter,
  );
}
