import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutEventsEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

export interface LocalEventBridge {
  endpoint: string;
  /** Every entry published, oldest first. */
  entries: PutEventsEntry[];
  /** The next `count` PutEvents calls fail with a 500, as a throttled or unavailable EventBridge would. */
  failNext(count: number): void;
  close(): Promise<void>;
}

/**
 * Just enough of EventBridge's JSON protocol (PutEvents, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html)
 * for the AWS SDK: the outcome events the worker publishes are kept, and handed to `onEntry` as they come.
 */
export async function startLocalEventBridge(
  onEntry: (entry: PutEventsEntry) => void = () => {},
): Promise<LocalEventBridge> {
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
    for (const entry of body.Entries) onEntry(entry);
    response.end(
      JSON.stringify({
        FailedEntryCount: 0,
        Entries: body.Entries.map((_entry, index) => ({ EventId: `ev-${entries.length}-${index}` })),
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
