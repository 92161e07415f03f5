import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpRequestParts {
  method: string;
  /** Path with optional query string, e.g. `/checkout-sessions/cs_1?customer=cus_1`. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  sourceIp?: string;
  /** Claims of a token the route's JWT authorizer verified, as API Gateway passes them. */
  authorizerClaims?: Record<string, unknown>;
}

/*
 * Which bodies API Gateway passes as text; anything else arrives base64-encoded with isBase64Encoded set
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
const TEXT_MEDIA_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+json)/i;

/** Builds the API Gateway HTTP API (payload format 2.0) event that AWS would hand a Lambda function. */
export function toHttpApiEvent(request: HttpRequestParts): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    // Payload v2 joins repeated headers with commas and moves cookies to their own field.
    if (key === 'cookie') cookies.push(...[value].flat().flatMap((cookie) => cookie.split(/;\s*/)));
    else headers[key] = [value].flat().join(',');
  }
  // API Gateway sets X-Forwarded-Proto itself (https there); the local server speaks plain http.
  headers['x-forwarded-proto'] = 'http';
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const hasBody = body !== undefined && body.length > 0;
  const asText = TEXT_MEDIA_TYPES.test(headers['content-type'] ?? '');
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const method = request.method.toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: request.routeKey ?? '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      ...(request.authorizerClaims
        ? { authorizer: { jwt: { claims: asGatewayClaims(request.authorizerClaims), scopes: null } } }
        : {}),
      requestId: randomUUID(),
      routeKey: request.routeKey ?? '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !asText,
  };
}

/** API Gateway hands claims to the function as strings; an array claim becomes "[a b]". */
function asGatewayClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.join(' ')}]`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
    ]),
  );
}
