import type { Server, ServerResponse } from 'node:http';
import { interceptRequests } from '../host-check';

const DRAIN_LIMIT_MS = 5_000;

/**
 * dynalite runs an action in several store steps and throws (outside any handler, so the process dies)
 * when a step finds its database already closed. Closing it while a request is mid-action — a Lambda
 * handler a test left retrying, a keep-alive socket cut by `closeAllConnections` — killed whole test
 * processes with "Database is closed". So: once closing, new requests are answered 503 (what a client
 * retries) without reaching dynalite, and `close` waits for the requests already inside to answer.
 */
export function drainOnClose(server: Server): { whenDrained(): Promise<void> } {
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  interceptRequests(server, (_request, response, pass) => {
    if (closing) {
      response.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
      response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable' }));
      return;
    }
    inFlight += 1;
    const end = response.end.bind(response);
    response.end = ((...args: Parameters<ServerResponse['end']>) => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
      return end(...args);
    }) as ServerResponse['end'];
    pass();
  });
  return {
    whenDrained() {
      closing = true;
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const limit = setTimeout(resolve, DRAIN_LIMIT_MS);
        drained = () => {
          clearTimeout(limit);
          resolve();
        };
      });
    },
  };
}
