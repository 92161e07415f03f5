import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import { localAwsEnvironment } from '../../dev/local-aws/credentials';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../dev/local-aws/dynamodb';
import { type LocalSqs, startLocalSqs } from '../../dev/local-aws/sqs';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { type CountingProxy, startCountingProxy } from './dynamodb-counting-proxy';

export interface BenchStandIns {
  stripeStandIn: StripeStandIn;
  /** The official SDK pointed at the stand-in, for arranging customers and subscriptions. */
  stripe: Stripe;
  dynamodb: LocalDynamoDb;
  /** Every DynamoDB call the functions make passes through it. */
  dynamodbCalls: CountingProxy;
  sqs: LocalSqs;
  /** A FIFO queue like the stack's, one per load so loads never see each other's messages. */
  createQueue(name: string): Promise<string>;
  /** What every function is configured with; QUEUE_URL is set per use. */
  functionEnv: Record<string, string>;
  close(): Promise<void>;
}

export const BENCH_STRIPE_KEY = 'sk_test_bench';

/** The Stripe stand-in, DynamoDB behind a counting proxy, and SQS; the AWS SDK is pointed at them. */
export async function startBenchStandIns(): Promise<BenchStandIns> {
  const [stripeStandIn, dynamodb, sqs] = await Promise.all([
    startStripeStandIn(),
    startLocalDynamoDb(),
    startLocalSqs({ fifo: true, queueName: 'bench-scratch' }),
  ]);
  const dynamodbCalls = await startCountingProxy(dynamodb.endpoint);
  const awsEnv = localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodbCalls.endpoint });
  // The AWS SDK reads endpoints and credentials from process.env, as it does inside Lambda.
  Object.assign(process.env, awsEnv);
  const functionEnv: Record<string, string> = {
    ...awsEnv,
    STRIPE_SECRET_KEY: BENCH_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: stripeStandIn.webhookSecret,
    STRIPE_API_BASE: stripeStandIn.url,
    QUEUE_URL: sqs.queueUrl,
    TABLE_NAME: dynamodb.tableName,
    CHECKOUT_SUCCESS_URL: 'https://app.example.com/billing/updated',
    CHECKOUT_CANCEL_URL: 'https://app.example.com/billing',
    LOG_LEVEL: 'silent',
  };
  return {
    stripeStandIn,
    stripe: new Stripe(BENCH_STRIPE_KEY, { ...stripeStandIn.sdkOptions, maxNetworkRetries: 0 }),
    dynamodb,
    dynamodbCalls,
    sqs,
    functionEnv,
    createQueue: async (name) => {
      const { QueueUrl } = await sqs.client.send(
        new CreateQueueCommand({
          QueueName: `${name}.fifo`,
          Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
        }),
      );
      if (!QueueUrl) throw new Error(`local SQS did not create ${name}`);
      return QueueUrl;
    },
    close: async () => {
      await Promise.all([stripeStandIn.close(), dynamodbCalls.close(), dynamodb.close(), sqs.close()]);
    },
  };
}
