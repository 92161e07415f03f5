import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import Stripe from 'stripe';
import { type LocalHttpApi, startHttpApi } from '../../dev/http-api/server';
import { localAwsEnvironment } from '../../dev/local-aws/credentials';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../dev/local-aws/dynamodb';
import { type LocalQueueOptions, type LocalSqs, startLocalSqs } from '../../dev/local-aws/sqs';
import {
  drainQueue,
  type PollOptions,
  type PollResult,
  pollOnce,
} from '../../dev/local-aws/sqs-event-source';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { createDynamoDbSetupRecords } from '../../functions/shared/adapters/dynamodb-setup-records';
import type { SetupRecords } from '../../functions/shared/ports';
import { CHECKOUT_API_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../../functions/shared/routes';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';

export const TEST_STRIPE_KEY = 'sk_test_servicestack';

export interface ServiceStack {
  stripeStandIn: StripeStandIn;
  /** The official SDK pointed at the stand-in, for arranging customers and subscriptions in tests. */
  stripe: Stripe;
  dynamodb: LocalDynamoDb;
  sqs: LocalSqs;
  /** The session API and webhook behind a local HTTP API, as API Gateway would serve them. */
  api: LocalHttpApi;
  env: Record<string, string>;
  /** The worker's own DynamoDB records, for checking outcomes. */
  records: SetupRecords;
  worker: (event: SQSEvent) => Promise<SQSBatchResponse>;
  webhookUrl: string;
  /** Runs the worker over everything in the queue, as Lambda's event source mapping would. */
  drainQueue(options?: PollOptions & { maxPolls?: number }): Promise<PollResult>;
  /** One poll of the event source mapping: one batch to one worker invocation. */
  pollOnce(options?: PollOptions): Promise<PollResult>;
  queueDepth(): Promise<number>;
  close(): Promise<void>;
}

export interface ServiceStackOptions {
  queue?: LocalQueueOptions;
  env?: Record<string, string>;
}

/** Starts every stand-in on a free port and wires the three real handlers to them. */
export async function startServiceStack(options: ServiceStackOptions = {}): Promise<ServiceStack> {
  const [stripeStandIn, dynamodb, sqs] = await Promise.all([
    startStripeStandIn(),
    startLocalDynamoDb(),
    startLocalSqs(options.queue),
  ]);
  // The AWS SDK reads endpoints and credentials from process.env, as it does inside Lambda.
  Object.assign(process.env, localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodb.endpoint }));
  const env: Record<string, string> = {
    STRIPE_SECRET_KEY: TEST_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: stripeStandIn.webhookSecret,
    STRIPE_API_BASE: stripeStandIn.url,
    QUEUE_URL: sqs.queueUrl,
    TABLE_NAME: dynamodb.tableName,
    CHECKOUT_SUCCESS_URL: 'https://app.example.com/billing/updated',
    CHECKOUT_CANCEL_URL: 'https://app.example.com/billing',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const checkoutApi = wireCheckoutApi(env);
  const webhook = wireStripeWebhook(env);
  const worker = wireSetupWorker(env);
  const api = await startHttpApi([
    ...CHECKOUT_API_ROUTES.map((routeKey) => ({ routeKey, handler: checkoutApi })),
    { routeKey: STRIPE_WEBHOOK_ROUTE, handler: webhook },
  ]);
  const stripe = new Stripe(TEST_STRIPE_KEY, { ...stripeStandIn.sdkOptions, maxNetworkRetries: 0 });

  return {
    stripeStandIn,
    stripe,
    dynamodb,
    sqs,
    api,
    env,
    records: createDynamoDbSetupRecords(dynamodb.client, {
      tableName: dynamodb.tableName,
      claimSeconds: 60,
      recordRetentionDays: 30,
    }),
    worker,
    webhookUrl: `${api.url}/webhooks/stripe`,
    drainQueue: (pollOptions = {}) => drainQueue(sqs.client, sqs.queueUrl, worker, pollOptions),
    pollOnce: (pollOptions = {}) => pollOnce(sqs.client, sqs.queueUrl, worker, pollOptions),
    queueDepth: () => queueDepth(sqs),
    close: async () => {
      await Promise.all([api.close(), stripeStandIn.close(), dynamodb.close(), sqs.close()]);
    },
  };
}

/** Messages waiting or in flight: what a Lambda consumer has not yet finished with. */
export async function queueDepth(sqs: LocalSqs, queueUrl = sqs.queueUrl): Promise<number> {
  const { Attributes = {} } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
