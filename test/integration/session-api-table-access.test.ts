import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  leadingKeyPatterns,
  SESSION_API_READ_ONLY_KEY_PREFIXES,
  SESSION_API_WRITTEN_KEY_PREFIXES,
} from '../../lib/session-api-table-access';
import { completeSession } from '../support/checkout';
import { postJson, send } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * The session API's table policy, enforced: a proxy in front of the local DynamoDB answers a call whose
 * partition key matches none of the role's `dynamodb:LeadingKeys` patterns (lib/session-api-table-access.ts)
 * as DynamoDB answers a call IAM denies — 400 AccessDeniedException
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html). Every route
 * of the real session API then runs against it. The worker, which has its own role, runs with the proxy
 * standing aside.
 */

const ALLOWED = {
  UpdateItem: leadingKeyPatterns(SESSION_API_WRITTEN_KEY_PREFIXES),
  GetItem: leadingKeyPatterns([...SESSION_API_WRITTEN_KEY_PREFIXES, ...SESSION_API_READ_ONLY_KEY_PREFIXES]),
} as Record<string, string[]>;

/** IAM's StringLike: `*` matches any run of characters, everything else itself. */
const likes = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's').test(value);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let stack: ServiceStack;
let enforcing = true;
const denied: string[] = [];
const seen: string[] = [];
let proxy: ReturnType<typeof createServer>;

beforeAll(async () => {
  // The listing cache and the shared status view on, as deployed, so their items are read and written.
  stack = await startServiceStack({
    env: { LISTING_CACHE_SECONDS: '5', STATUS_SHARED_REFRESH_SECONDS: '2' },
  });
  const upstream = new URL(stack.dynamodb.endpoint);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const key = (JSON.parse(body.toString('utf8') || '{}') as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
      if (enforcing) {
        seen.push(`${operation} ${key}`);
        const allowed = ALLOWED[operation];
        if (!allowed || key === undefined || !allowed.some((pattern) => likes(pattern, key))) {
          denied.push(`${operation} ${key}`);
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({
              __type: 'com.amazon.coral.service#AccessDeniedException',
              message: `not authorized to perform: dynamodb:${operation}`,
            }),
          );
          return;
        }
      }
      const upstreamRequest = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      upstreamRequest.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  // Every function's DynamoDB client resolves its endpoint from the environment per request.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await stack.close();
});

const requests = savedMethodRequests(() => stack);

/** The worker (its own role) runs unenforced; everything else through the proxy is the session API. */
async function asWorker<T>(work: () => Promise<T>): Promise<T> {
  enforcing = false;
  try {
    return await work();
  } finally {
    enforcing = true;
  }
}

it('every session API route works within its leading-key table policy, as deployed', async () => {
  const original = stack.drainQueue;
  stack.drainQueue = (options) => asWorker(() => original(options));
  const { customerId, subscriptionId, first, second } = await requests.customerWithTwoCards();

  // Twice: the second is a cache hit, checked against the change marker and the owner record.
  for (const _ of [1, 2]) {
    expect((await send(requests.api(`/payment-methods?customer=${customerId}`))).status).toBe(200);
  }
  // A completed session whose webhook never came: the status route records and queues it itself.
  const sessionId = await requests.createSession(customerId, subscriptionId);
  await completeSession(stack.stripeStandIn, sessionId);
  const status = await send(requests.api(`/checkout-sessions/${sessionId}?customer=${customerId}`));
  expect(status.status).toBe(200);
  await stack.drainQueue({ retryDelaySeconds: 0 });
  await requests.nextSecond();
  const switched = await requests.makeDefault(customerId, first);
  expect(switched.status).toBe(202);
  expect((await requests.changeStatus(customerId, switched.json.statusUrl)).status).toBeDefined();
  await stack.drainQueue({ retryDelaySeconds: 0 });
  const removed = await requests.remove(customerId, second);
  expect(removed.status).toBe(202);
  await stack.drainQueue({ retryDelaySeconds: 0 });

  const minted = await postJson(requests.api('/update-links'), { customer: customerId });
  expect(minted.status).toBe(201);
  const opened = await send(minted.json.url, { redirect: 'manual' });
  expect(opened.status).toBeLessThan(400);
  const revoked = await send(requests.api(`/update-links/${minted.json.id}`), { method: 'DELETE' });
  expect(revoked.status).toBeLessThan(300);

  // The proxy saw the API's calls (so the policy was really in the way) and denied none.
  expect(seen.some((call) => call.startsWith('UpdateItem setup_intent#'))).toBe(true);
  expect(seen.some((call) => call.startsWith('GetItem customer_default#'))).toBe(true);
  expect(seen.some((call) => call.startsWith('UpdateItem session_view#'))).toBe(true);
  expect(denied).toEqual([]);
});
