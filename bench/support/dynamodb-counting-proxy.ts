import { Agent, createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One DynamoDB API call as it crossed the wire: `UpdateItem`, `GetItem`, … and its JSON input. */
export interface DynamoDbCall {
  operation: string;
  input: Record<string, unknown>;
  status: number;
  /** From the request's last byte to the response's last byte, as the proxy saw it. */
  durationMs: number;
  /** When the request's last byte arrived (`performance.now()` of the bench process). */
  startedAtMs: number;
}

export interface CountingProxy {
  endpoint: string;
  readonly calls: DynamoDbCall[];
  clear(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the DynamoDB stand-in that records every call's `X-Amz-Target` and body, so the
 * benchmark counts what the worker really sends, not what its code seems to send. With `httpOperation` it
 * times calls to the Stripe stand-in the same way. Bench-only.
 */
export async function startCountingProxy(
  target: string,
  operationOf: (request: IncomingMessage) => string = dynamoDbOperation,
): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const calls: DynamoDbCall[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const started = performance.now();
      const call: DynamoDbCall = {
        operation: operationOf(incoming),
        input: parseJson(body),
        status: 0,
        durationMs: 0,
        startedAtMs: started,
      };
      calls.push(call);
      const proxied = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent,
        },
        (response) => {
          call.status = response.statusCode ?? 0;
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.on('end', () => {
            call.durationMs = performance.now() - started;
          });
          response.pipe(outgoing);
        },
      );
      proxied.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      proxied.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    clear: () => {
      calls.length = 0;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `GetItem`, `UpdateItem`, … from the JSON protocol's `X-Amz-Target: DynamoDB_20120810.GetItem`. */
function dynamoDbOperation(request: IncomingMessage): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  return target.split('.').pop() ?? target;
}

/** `POST /v1/customers/cus_…`: method and path, object ids shortened to their prefix (for Stripe). */
export function httpOperation(request: IncomingMessage): string {
  const pathOnly = (request.url ?? '').split('?')[0] ?? '';
  return `${request.method} ${pathOnly.replace(/\/([a-z]+_)(?=[a-z]*[0-9A-Z])[A-Za-z0-9]+/g, '/$1…')}`;
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
