import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServiceStack, startServiceStack } from './service-stack';

export interface PutEventsEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

export interface EventBridgeStandIn {
  endpoint: string;
  entries: PutEventsEntry[];
  /** The next `count` PutEvents calls fail with a 500, as a throttled or unavailable EventBridge would. */
  failNext(count: number): void;
  close(): Promise<void>;
}

/** Just enough of EventBridge's JSON protocol (PutEvents) for the AWS SDK, recording what was published. */
export async function startEventBridgeStandIn(): Promise<EventBridgeStandIn> {
  const entries: PutEventsEntry[] = [];
  let failures = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
      response.writeHead(400);
      response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
      return;
    }
    if (failures > 0) {
      failures--;
      response.writeHead(500);
      response.end(JSON.stringify({ __type: 'InternalException', message: 'try again' }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { Entries: PutEventsEntry[] };
    entries.push(...body.Entries);
    response.end(
      JSON.stringify({
        FailedEntryCount: 0,
        Entries: body.Entries.map((_entry, index) => ({ EventId: `ev-${index}` })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    failNext: (count) => {
      failures = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface StackWithOutcomes {
  stack: ServiceStack;
  eventBridge: EventBridgeStandIn;
}

/**
 * The service stack with the worker's outcome events going to an EventBridge stand-in, for the describe
 * block (or file) it is called in; each test starts with no recorded events.
 */
export function useStackWithOutcomes(): StackWithOutcomes {
  const running = {} as StackWithOutcomes;
  beforeAll(async () => {
    [running.stack, running.eventBridge] = await Promise.all([
      startServiceStack(),
      startEventBridgeStandIn(),
    ]);
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = running.eventBridge.endpoint;
  });
  afterAll(async () => {
    await Promise.all([running.stack?.close(), running.eventBridge?.close()]);
  });
  beforeEach(() => {
    running.eventBridge.entries.length = 0;
  });
  return running;
}
