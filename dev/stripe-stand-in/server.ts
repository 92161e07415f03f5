import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { ApiPipeline } from './api-pipeline';
import type { ControlResponse } from './control-routes';
import { EMBEDDED_CHECKOUT_SCRIPT, EMBEDDED_CHECKOUT_SCRIPT_PATH } from './embedded-checkout';
import { StandInError } from './errors';
import type { PageResponse } from './hosted-checkout';
import { decodePathSegment } from './percent-decoding';

export interface StandInHandlers {
  api: ApiPipeline;
  /** Set by the local stack: refuse other Host names (DNS rebinding), see dev/host-check.ts. */
  allowsHost?: (host: string | undefined) => boolean;
  control(method: string, path: string, body: string, headers: IncomingHttpHeaders): Promise<ControlResponse>;
  /** The hosted Checkout page at `/checkout/<session id>`. */
  checkout(method: string, sessionId: string, body: string): Promise<PageResponse>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body, null, 2));
}

async function dispatch(
  handlers: StandInHandlers,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://stand-in.invalid');
  const method = (request.method ?? 'GET').toUpperCase();
  const body = await readBody(request);
  if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
    const result = await handlers.api.handle({
      method,
      path: url.pathname,
      query: url.search.slice(1),
      body,
      headers: request.headers,
    });
    if (result.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    response.writeHead(result.status, result.headers);
    response.end(result.body);
    return;
  }
  if (url.pathname.startsWith('/_stand-in/')) {
    const result = await handlers.control(method, url.pathname, body, request.headers);
    sendJson(response, result.status, result.body);
    return;
  }
  if (url.pathname === EMBEDDED_CHECKOUT_SCRIPT_PATH && (method === 'GET' || method === 'HEAD')) {
    response.writeHead(200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(method === 'HEAD' ? undefined : EMBEDDED_CHECKOUT_SCRIPT);
    return;
  }
  const checkout = /^\/checkout\/([^/]+)$/.exec(url.pathname);
  if (checkout !== null) {
    const page = await handlers.checkout(method, decodePathSegment(checkout[1] ?? ''), body);
    response.writeHead(page.status, page.headers);
    response.end(page.body);
    return;
  }
  sendJson(response, 404, {
    error: { type: 'invalid_request_error', message: `Not found: ${url.pathname}` },
  });
}

export function createStandInServer(handlers: StandInHandlers): Server {
  return createServer((request, response) => {
    if (handlers.allowsHost && !handlers.allowsHost(request.headers.host)) {
      sendJson(response, 421, { error: { type: 'invalid_request_error', message: 'Host not allowed' } });
      return;
    }
    dispatch(handlers, request, response).catch((error: unknown) => {
      // The caller's mistake (a malformed path) is answered in Stripe's error shape with its 4xx.
      if (error instanceof StandInError && !response.headersSent) {
        sendJson(response, error.status, { error: error.body });
        return;
      }
      console.error('[stripe-stand-in] request failed', error);
      if (!response.headersSent)
        sendJson(response, 500, { error: { type: 'api_error', message: 'Stand-in failure' } });
      else response.end();
    });
  });
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('Stand-in has no TCP address'));
      else resolve(address.port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // The SDK keeps connections alive; without this, close() waits for them to time out.
    server.closeAllConnections();
  });
}
