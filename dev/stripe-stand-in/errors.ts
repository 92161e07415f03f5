/** Stripe's error envelope, as the SDK's `generateV1Error` reads it (`type`, `code`, `param`, `message`). */
export interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error' | 'authentication_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
}

/**
 * A failure to report to the client as a Stripe error response.
 * `beforeExecution` marks failures detected while validating the request: Stripe does not store
 * those under an idempotency key, because no endpoint began executing.
 */
export class StandInError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly beforeExecution = false,
  ) {
    super(body.message);
    this.name = 'StandInError';
  }
}

function withDocUrl(body: StripeErrorBody): StripeErrorBody {
  return body.code === undefined
    ? body
    : { ...body, doc_url: `https://stripe.com/docs/error-codes/${body.code.replace(/_/g, '-')}` };
}

export function invalidRequest(
  message: string,
  details: { param?: string; code?: string; status?: number; beforeExecution?: boolean } = {},
): StandInError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (details.code !== undefined) body.code = details.code;
  if (details.param !== undefined) body.param = details.param;
  return new StandInError(details.status ?? 400, withDocUrl(body), details.beforeExecution ?? false);
}

export function parameterUnknown(param: string): StandInError {
  return invalidRequest(`Received unknown parameter: ${param}`, {
    param,
    code: 'parameter_unknown',
    beforeExecution: true,
  });
}

export function parameterMissing(param: string): StandInError {
  return invalidRequest(`Missing required param: ${param}.`, {
    param,
    code: 'parameter_missing',
    beforeExecution: true,
  });
}

export function parameterInvalidEmpty(param: string): StandInError {
  return invalidRequest(
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    { param, code: 'parameter_invalid_empty', beforeExecution: true },
  );
}

export function parameterInvalid(param: string, message: string, code?: string): StandInError {
  return invalidRequest(message, { param, beforeExecution: true, ...(code === undefined ? {} : { code }) });
}

/**
 * Stripe answers 404 when the object named in the URL does not exist, and 400 when a body
 * parameter references a missing object (`customer`, `payment_method`, ...).
 */
export function resourceMissing(objectName: string, id: string, param: string, status = 404): StandInError {
  return invalidRequest(`No such ${objectName}: '${id}'`, { param, code: 'resource_missing', status });
}

export function unrecognizedUrl(method: string, path: string): StandInError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  );
}

/** Stripe reports bad or missing keys as 401 with type `invalid_request_error`, not `authentication_error`. */
export function invalidApiKey(presented: string | undefined): StandInError {
  const message =
    presented === undefined
      ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
      : `Invalid API Key provided: ${presented.slice(0, 8)}${'*'.repeat(Math.max(0, presented.length - 12))}${presented.slice(-4)}`;
  return invalidRequest(message, { status: 401 });
}

export function idempotencyMismatch(key: string): StandInError {
  return new StandInError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

export function idempotencyInProgress(key: string): StandInError {
  return new StandInError(409, {
    type: 'idempotency_error',
    message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
  });
}

export function internalError(): StandInError {
  return new StandInError(500, {
    type: 'api_error',
    message: 'An unknown error occurred while processing your request. Please try again later.',
  });
}

/** A declined charge (HTTP 402 `card_error`): what the SDK raises as StripeCardError. */
export function cardDeclined(): StandInError {
  return new StandInError(402, {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
    doc_url: 'https://stripe.com/docs/error-codes/card-declined',
  });
}
