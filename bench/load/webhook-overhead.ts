/*
 * Child process: the deployed webhook bundle verifying and queueing signed deliveries, side by side with a
 * bare SendMessage of the same body on an identically configured SQS client. See figures/webhook-overhead.ts.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mapLimit } from '../support/concurrency';
import { signedWebhookEvent } from '../support/http-events';
import { nowMs } from '../support/stats';
import { driverParams, loadHandler, rssBytes, runDriver } from './driver';

export interface WebhookOverheadParams {
  /** A real `checkout.session.completed`; each delivery is a copy with fresh ids. */
  template: { id: string; data: { object: { id: string; setup_intent?: unknown } } };
  webhookSecret: string;
  queueUrl: string;
  requests: number;
  throughputRequests: number;
  concurrency: number;
}

export interface SideResult {
  latenciesMs: number[];
  requestsPerSecond: number;
}

export interface WebhookOverheadResult {
  webhook: SideResult;
  bare: SideResult;
  rssAfterInitBytes: number;
}

type Webhook = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const WARM_UP = 50;

runDriver(async (): Promise<WebhookOverheadResult> => {
  const params = driverParams<WebhookOverheadParams>();
  const webhook = loadHandler<Webhook>();
  const rssAfterInitBytes = rssBytes();
  // The same client settings as functions/shared/aws-clients.ts; endpoint and region from the environment.
  const sqs = new SQSClient({ maxAttempts: 3 });

  const templateJson = JSON.stringify(params.template);
  const ids = [params.template.id, params.template.data.object.id];
  if (typeof params.template.data.object.setup_intent === 'string')
    ids.push(params.template.data.object.setup_intent);
  let serial = 0;
  /** A delivery API Gateway has already built; signing is Stripe's work, not the function's. */
  const nextDelivery = () => {
    serial += 1;
    const json = ids.reduce((text, id) => text.split(id).join(`${id}b${serial}`), templateJson);
    return signedWebhookEvent(JSON.parse(json) as object, params.webhookSecret);
  };
  const deliver = async (event: APIGatewayProxyEventV2) => {
    const reply = await webhook(event);
    if (reply.statusCode !== 200) throw new Error(`webhook answered ${reply.statusCode}: ${reply.body}`);
  };

  // Warm both paths (connections, JIT), then take the body the webhook really queues for the bare side.
  for (let index = 0; index < WARM_UP; index++) await deliver(nextDelivery());
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: params.queueUrl,
      MaxNumberOfMessages: 1,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const queued = Messages[0];
  if (!queued?.Body) throw new Error('the webhook queued nothing');
  const body = queued.Body;
  const groupId = queued.Attributes?.MessageGroupId ?? 'bench';
  const sendBare = async () => {
    serial += 1;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: params.queueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        // Unique, so SQS stores every message as it does for the webhook's distinct sessions.
        MessageDeduplicationId: `bare-${serial}`,
      }),
    );
  };
  for (let index = 0; index < WARM_UP; index++) await sendBare();

  // Latency: one request in flight, the two sides interleaved so drift hits both alike.
  const webhookLatencies: number[] = [];
  const bareLatencies: number[] = [];
  const timeWebhook = async () => {
    const event = nextDelivery();
    const started = nowMs();
    await deliver(event);
    webhookLatencies.push(nowMs() - started);
  };
  const timeBare = async () => {
    const started = nowMs();
    await sendBare();
    bareLatencies.push(nowMs() - started);
  };
  for (let index = 0; index < params.requests; index++) {
    if (index % 2 === 0) {
      await timeWebhook();
      await timeBare();
    } else {
      await timeBare();
      await timeWebhook();
    }
  }

  // Throughput: `concurrency` in flight, alternating rounds per side.
  const elapsed = { webhook: 0, bare: 0 };
  const round = Math.max(1, Math.floor(params.throughputRequests / 2));
  for (const side of ['webhook', 'bare', 'bare', 'webhook'] as const) {
    const events = side === 'webhook' ? Array.from({ length: round }, nextDelivery) : [];
    const started = nowMs();
    await mapLimit(round, params.concurrency, (index) =>
      side === 'webhook' ? deliver(events[index] as APIGatewayProxyEventV2) : sendBare(),
    );
    elapsed[side] += nowMs() - started;
  }
  const perSecond = (ms: number) => (2 * round) / (ms / 1000);
  return {
    webhook: { latenciesMs: webhookLatencies, requestsPerSecond: perSecond(elapsed.webhook) },
    bare: { latenciesMs: bareLatencies, requestsPerSecond: perSecond(elapsed.bare) },
    rssAfterInitBytes,
  };
});
