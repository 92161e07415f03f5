import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * DNS rebinding: a web page on attacker.example whose name is re-pointed at 127.0.0.1 can make the browser
 * talk to a server on this machine as if it were same-origin, and read the answers. The browser still
 * sends the attacker's name in `Host`, so a local server that answers only to loopback names (and to the
 * hosts the developer listed in ALLOWED_ORIGINS) is out of reach
 * (https://developer.mozilla.org/docs/Web/Security/Attacks/DNS_rebinding). Any port is accepted on a
 * loopback name, because a development server's proxy (Vite's, webpack's) forwards its own `Host`, e.g.
 * `localhost:5173`, and a rebinding page cannot send a loopback name.
 */
export function isAllowedHost(
  hostHeader: string | undefined,
  boundHost: string,
  extraHosts: readonly string[] = [],
): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  if (extraHosts.some((allowed) => allowed.toLowerCase() === host)) return true;
  const names = new Set([
    'localhost',
    '127.0.0.1',
    '[::1]',
    boundHost.includes(':') ? `[${boundHost}]` : boundHost,
  ]);
  const match = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host);
  return match !== null && names.has(match[1] as string);
}

/** The `host[:port]` a browser sends for each allowed origin (`http://app.test:8080` → `app.test:8080`). */
export function hostsOf(origins: readonly string[]): string[] {
  return origins.map((origin) => new URL(origin).host);
}

export const MISDIRECTED = JSON.stringify({
  error: {
    code: 'host_not_allowed',
    message: 'This local server answers only to loopback names and the hosts of ALLOWED_ORIGINS.',
  },
});

/**
 * Puts a server that has no Host check of its own (the embedded DynamoDB and SQS, the local issuer) behind
 * `isAllowedHost`: its request handlers run only for a loopback `Host`, and anything else is answered `421`
 * before they see it. Through these servers a rebinding page could otherwise read the table or send to the
 * queue, and so reach the configured Stripe account through the worker.
 */
export function guardHost(server: Server, boundHost: string, extraHosts: readonly string[] = []): void {
  interceptRequests(server, (request, response, pass) => {
    if (!isAllowedHost(request.headers.host, boundHost, extraHosts)) {
      response.writeHead(421, { 'content-type': 'application/json' });
      response.end(MISDIRECTED);
      return;
    }
    pass();
  });
}

/**
 * Puts `intercept` in front of a server's own request handlers (a library's, which we cannot edit): they run
 * only when it calls `pass`.
 */
export function interceptRequests(
  server: Server,
  intercept: (request: IncomingMessage, response: ServerResponse, pass: () => void) => void,
): void {
  const handlers = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    intercept(request, response, () => {
      for (const handler of handlers) handler.call(server, request, response);
    });
  });
}
