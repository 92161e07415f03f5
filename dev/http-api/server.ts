import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bearerToken, type JwtVerifier } from '../../functions/shared/auth/jwt-verifier';
import { isAllowedHost, MISDIRECTED } from '../host-check';
import { answerCors, type CorsOptions } from './cors';
import { toHttpApiEvent } from './event';

export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpApiRoute {
  /** API Gateway route key, e.g. `GET /checkout-sessions/{id}`. */
  routeKey: string;
  handler: HttpApiHandler;
  /**
   * The route's JWT authorizer, as API Gateway runs it: the bearer token from the Authorization header is
   * verified before the handler is called, its claims passed in requestContext.authorizer.jwt.claims, and
   * any failure answered 401 `{"message":"Unauthorized"}` without calling the handler.
   */
  jwtAuthorizer?: JwtVerifier;
}

export interface LocalHttpApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** 10 MB: API Gateway's own payload limit for HTTP APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A local stand-in for an API Gateway HTTP API: matches route keys, hands the Lambda handler the payload v2
 * event and writes its structured result back, as API Gateway does.
 */
export type FallbackHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => Promise<void>;

export interface HttpApiOptions {
  port?: number;
  host?: string;
  /** Serves what no route matches (the local stack's demo pages); default: API Gateway's JSON 404. */
  fallback?: FallbackHandler;
  /** Answer only requests whose Host is a loopback name or one of `extraHosts` (the local stack: DNS rebinding). */
  checkHost?: boolean;
  extraHosts?: readonly string[];
  /** CORS as API Gateway answers it when the API has a CORS configuration. */
  cors?: CorsOptions;
}

export async function startHttpApi(
  routes: HttpApiRoute[],
  options: HttpApiOptions = {},
): Promise<LocalHttpApi> {
  const { port = 0, host = '127.0.0.1' } = options;
  const compiled = routes.map((route) => ({ ...route, ...compileRouteKey(route.routeKey) }));
  const server = createServer((request, response) => {
    void serve(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    if (options.checkHost && !isAllowedHost(request.headers.host, host, options.extraHosts)) {
      response.writeHead(421, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
      response.end(MISDIRECTED);
      return;
    }
    if (options.cors && answerCors(request, response, options.cors) === 'preflight answered') return;
    const body = await readBody(request);
    if (body === undefined) {
      response.writeHead(413, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    for (const route of compiled) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      let authorizerClaims: Record<string, unknown> | undefined;
      if (route.jwtAuthorizer) {
        const token = bearerToken([request.headers.authorization].flat()[0]);
        const check = token ? await route.jwtAuthorizer(token) : undefined;
        if (!check?.valid) {
          response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
          response.end(JSON.stringify({ message: 'Unauthorized' }));
          return;
        }
        authorizerClaims = check.claims;
      }
      const event = toHttpApiEvent({
        method,
        url: request.url ?? '/',
        headers: request.headers,
        body,
        routeKey: route.routeKey,
        ...(route.names.length > 0
          ? {
              pathParameters: Object.fromEntries(
                route.names.map((name, index) => [name, decodePathSegment(match[index + 1] ?? '')]),
              ),
            }
          : {}),
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        ...(authorizerClaims ? { authorizerClaims } : {}),
      });
      writeResult(response, await route.handler(event));
      return;
    }
    if (options.fallback) {
      await options.fallback(request, response, body);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not Found' }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function compileRouteKey(routeKey: string): { method: string; pattern: RegExp; names: string[] } {
  const [method = 'ANY', path = '/'] = routeKey.split(' ');
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), names };
}

/** A segment with broken percent-encoding reaches the function as sent; it is the function's to refuse. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
