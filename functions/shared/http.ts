import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ServiceError } from './errors';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** The body exactly as sent: API Gateway base64-encodes bodies it does not treat as text. */
export function rawBody(event: HttpEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** HTTP API payload v2 lower-cases header names; this also copes with hand-built events. */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The media type without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(event: HttpEvent): string | undefined {
  return header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
}

export function requireMediaType(event: HttpEvent, expected: string): void {
  const actual = mediaType(event);
  if (actual !== expected) {
    throw new ServiceError(
      415,
      'unsupported_media_type',
      `Content-Type must be ${expected} (got ${actual ?? 'none'}).`,
    );
  }
}

/**
 * Headers every response carries. `nosniff` stops a browser from reading a JSON error (which may echo
 * request text) as HTML or script: https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Content-Type-Options
 */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: ServiceError): HttpResult {
  return jsonResponse(error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** `METHOD /path` of the request: the route key when API Gateway matched one, else the raw path. */
export function requestLine(event: HttpEvent): { method: string; path: string } {
  const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
  const stage = event.requestContext?.stage;
  let path = event.rawPath ?? '/';
  // A named stage prefixes raw paths (/prod/checkout-sessions); the $default stage does not.
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  return { method, path: path.length > 1 ? path.replace(/\/+$/, '') : path };
}

/**
 * An absolute URL of this API for `path`, for links a browser on another origin follows (`statusUrl`,
 * `Location`). HTTP APIs serve HTTPS only and set X-Forwarded-Proto themselves; the local stack sets it to
 * `http` (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * A named stage prefixes the path as it prefixes the raw path; a custom domain's API mapping is not in the
 * event (payload 2.0), so behind one the link is on the API's own domain name, which still answers.
 */
export function apiUrl(event: HttpEvent, path: string): string {
  const proto = header(event, 'x-forwarded-proto')?.split(',')[0]?.trim() === 'http' ? 'http' : 'https';
  const host = event.requestContext?.domainName ?? header(event, 'host') ?? 'localhost';
  const stage = event.requestContext?.stage;
  const prefix = stage && stage !== '$default' ? `/${stage}` : '';
  return `${proto}://${host}${prefix}${path}`;
}

export type JsonObjectParse =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; problem: 'not_json' | 'not_an_object' };

/** A body that must be a JSON object: arrays are objects to JavaScript (and to valibot's object schemas). */
export function parseJsonObject(raw: Buffer): JsonObjectParse {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'not_json' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problem: 'not_an_object' };
  return { ok: true, value: json as Record<string, unknown> };
}

/**
 * API Gateway's id for the request, which it also returns to the caller (`apigw-requestid`): the correlation id
 * that ties a client's or Stripe's delivery log to this function's lines.
 */
export function apiGatewayRequestId(event: HttpEvent): string | undefined {
  return event.requestContext?.requestId;
}

/** A path parameter with broken percent-encoding is a bad id, not a server error. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function methodNotAllowed(allowed: string): ServiceError {
  return new ServiceError(405, 'method_not_allowed', `Use ${allowed} for this path.`, { allow: allowed });
}
