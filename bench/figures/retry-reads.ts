import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pollOnce } from '../../dev/local-aws/sqs-event-source';
import type { BenchSettings } from '../settings';
import type { Row, Section } from '../support/report';
import { type CompletedSetup, completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { type Worker, wireBenchWorker } from '../support/worker-runs';

interface RetryCalls {
  /** GETs of the customer or subscription: the retry asking Stripe what holds now. */
  defaultReads: number;
  customerUpdates: number;
  subscriptionUpdates: number;
  total: number;
}

/**
 * The price of "a retry never repeats a Stripe write it cannot prove did not happen" (issue 17): a first
 * attempt reads no default from Stripe; a retry reads each default it has no checkpoint for, once, and
 * writes only the ones Stripe does not already hold. Two retries are measured: after the subscription
 * update failed (the customer's checkpoint recorded), and after the customer's checkpoint write was lost
 * too (its owner record removed, as if DynamoDB had failed past the SDK's retries).
 */
export async function measureRetryReads(standIns: BenchStandIns, settings: BenchSettings): Promise<Section> {
  const worker = wireBenchWorker(standIns, settings);
  const count = Math.max(2, Math.floor(settings.eventsPerScenario / 2));
  const dynamodb = new DynamoDBClient({});
  const tableName = standIns.functionEnv.TABLE_NAME as string;
  const queueUrl = standIns.sqs.queueUrl;

  const firstAttempts: RetryCalls[] = [];
  const afterFailedUpdate: RetryCalls[] = [];
  const afterLostCheckpoint: RetryCalls[] = [];
  for (const [index, setup] of (await completedSetups(standIns, count * 2)).entries()) {
    await deliverThroughWebhook(standIns, [setup], queueUrl);
    // The subscription update fails through the SDK's retries; the customer's goes through.
    standIns.stripeStandIn.faults.add({
      method: 'POST',
      path: new RegExp(`^/v1/subscriptions/${setup.subscriptionId}$`),
      status: 503,
      times: 3,
    });
    firstAttempts.push(await stripeCallsOf(standIns, setup, () => attempt(standIns, worker, 1)));
    const lostCheckpoint = index % 2 === 1;
    if (lostCheckpoint) {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { pk: { S: `customer_default#${setup.customerId}` } },
        }),
      );
    }
    const retry = await stripeCallsOf(standIns, setup, () => attempt(standIns, worker, 0));
    (lostCheckpoint ? afterLostCheckpoint : afterFailedUpdate).push(retry);
  }
  dynamodb.destroy();

  const most = (events: RetryCalls[], of: (calls: RetryCalls) => number) => Math.max(...events.map(of));
  const rows: Row[] = [
    {
      figure: 'Stripe default reads: first attempt',
      value: `${most(firstAttempts, (calls) => calls.defaultReads)}`,
      target: '0',
      pass: most(firstAttempts, (calls) => calls.defaultReads) === 0,
      data: { perEvent: firstAttempts },
    },
    {
      figure: 'Stripe requests: retry after a failed subscription update',
      value: `${most(afterFailedUpdate, (calls) => calls.total)} (reads ${most(afterFailedUpdate, (calls) => calls.defaultReads)}, customer updates ${most(afterFailedUpdate, (calls) => calls.customerUpdates)})`,
      target: '≤ 1 read, 0 customer updates',
      pass:
        most(afterFailedUpdate, (calls) => calls.defaultReads) <= 1 &&
        most(afterFailedUpdate, (calls) => calls.customerUpdates) === 0,
      data: { perEvent: afterFailedUpdate },
    },
    {
      figure: 'Stripe requests: retry after a lost checkpoint',
      value: `${most(afterLostCheckpoint, (calls) => calls.total)} (reads ${most(afterLostCheckpoint, (calls) => calls.defaultReads)}, customer updates ${most(afterLostCheckpoint, (calls) => calls.customerUpdates)})`,
      target: '≤ 2 reads, 0 customer updates',
      pass:
        most(afterLostCheckpoint, (calls) => calls.defaultReads) <= 2 &&
        most(afterLostCheckpoint, (calls) => calls.customerUpdates) === 0,
      data: { perEvent: afterLostCheckpoint },
    },
  ];
  return {
    title: `Retry reads (issue 17; ${count} setups per retry kind, counted on the Stripe stand-in)`,
    rows,
    notes: [
      'A retry reads the current default (GET customer / GET subscription) only for steps without a checkpoint, and skips the update when Stripe already holds the method; first attempts read nothing extra.',
    ],
  };
}

/** One poll of the queue; `failures` is how many of its one message must fail. */
async function attempt(standIns: BenchStandIns, worker: Worker, failures: number): Promise<void> {
  const polled = await pollOnce(standIns.sqs.client, standIns.sqs.queueUrl, worker, {
    batchSize: 1,
    retryDelaySeconds: 0,
  });
  if (polled.received !== 1 || polled.failed !== failures)
    throw new Error(`expected 1 message with ${failures} failed, got ${JSON.stringify(polled)}`);
}

async function stripeCallsOf(
  standIns: BenchStandIns,
  setup: CompletedSetup,
  work: () => Promise<void>,
): Promise<RetryCalls> {
  standIns.stripeStandIn.clearRequests();
  await work();
  const requests = standIns.stripeStandIn.requests;
  const customerPath = `/v1/customers/${setup.customerId}`;
  const subscriptionPath = `/v1/subscriptions/${setup.subscriptionId}`;
  const answered = (method: string, path: string) =>
    requests.filter((request) => request.method === method && request.path === path && request.status === 200)
      .length;
  return {
    defaultReads: answered('GET', customerPath) + answered('GET', subscriptionPath),
    customerUpdates: answered('POST', customerPath),
    subscriptionUpdates: answered('POST', subscriptionPath),
    total: requests.length,
  };
}
