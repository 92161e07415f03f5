import { fork } from 'node:child_process';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  localAwsEnvironment,
} from '../../dev/local-aws/credentials';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import type { AwsStandInsReady } from '../load/aws-stand-ins';
import { AWS_STAND_INS, driverFile } from './bundles';
import { type CountingProxy, startCountingProxy } from './dynamodb-counting-proxy';

export interface BenchStandIns {
  stripeStandIn: StripeStandIn;
  /** The official SDK pointed at the stand-in, for arranging customers and subscriptions. */
  stripe: Stripe;
  /** Every DynamoDB call the functions make passes through it, on its way to dynalite. */
  dynamodbCalls: CountingProxy;
  /** The embedded SQS and its scratch FIFO queue (with a dead-letter queue), as the stack's. */
  sqs: { client: SQSClient; queueUrl: string };
  /** Another FIFO queue, one per load so loads never see each other's messages. */
  createQueue(name: string): Promise<string>;
  /** What every function is configured with; QUEUE_URL is set per use. */
  functionEnv: Record<string, string>;
  close(): Promise<void>;
}

export const BENCH_STRIPE_KEY = 'sk_test_bench_0123456789abcdefghijkl';

/**
 * The Stripe stand-in in this process; DynamoDB and SQS in a child process of their own (after the bundles
 * are built), with the counting proxy here in front of DynamoDB. The AWS SDK is pointed at them.
 */
export async function startBenchStandIns(): Promise<BenchStandIns> {
  // Deployed functions run on Node 22+, where the SDK's Node 20 notice never shows.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [stripeStandIn, aws] = await Promise.all([startStripeStandIn(), startAwsStandIns()]);
  const dynamodbCalls = await startCountingProxy(aws.ready.dynamodbEndpoint);
  const awsEnv = localAwsEnvironment({ sqs: aws.ready.sqsEndpoint, dynamodb: dynamodbCalls.endpoint });
  // The AWS SDK reads endpoints and credentials from process.env, as it does inside Lambda.
  Object.assign(process.env, awsEnv);
  const sqsClient = new SQSClient({
    endpoint: aws.ready.sqsEndpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const functionEnv: Record<string, string> = {
    ...awsEnv,
    STRIPE_SECRET_KEY: BENCH_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: stripeStandIn.webhookSecret,
    SETUP_PROOF_SECRET: 'bench-setup-proof-secret-0123456789abcdef',
    STRIPE_API_BASE: stripeStandIn.url,
    QUEUE_URL: aws.ready.queueUrl,
    TABLE_NAME: aws.ready.tableName,
    CHECKOUT_SUCCESS_URL: 'https://app.example.com/billing/updated',
    CHECKOUT_CANCEL_URL: 'https://app.example.com/billing',
    STRIPE_MODE: 'test',
    // Callers name their customer, as in local development: the benchmark measures the flow, not a JWT check.
    AUTH_MODE: 'none',
    LOG_LEVEL: 'silent',
  };
  return {
    stripeStandIn,
    stripe: new Stripe(BENCH_STRIPE_KEY, { ...stripeStandIn.sdkOptions, maxNetworkRetries: 0 }),
    dynamodbCalls,
    sqs: { client: sqsClient, queueUrl: aws.ready.queueUrl },
    functionEnv,
    createQueue: async (name) => {
      const { QueueUrl } = await sqsClient.send(
        new CreateQueueCommand({
          QueueName: `${name}.fifo`,
          Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
        }),
      );
      if (!QueueUrl) throw new Error(`local SQS did not create ${name}`);
      return QueueUrl;
    },
    close: async () => {
      sqsClient.destroy();
      await Promise.all([stripeStandIn.close(), dynamodbCalls.close(), aws.stop()]);
    },
  };
}

async function startAwsStandIns(): Promise<{ ready: AwsStandInsReady; stop(): Promise<void> }> {
  const child = fork(driverFile(AWS_STAND_INS), [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<AwsStandInsReady>((resolve, reject) => {
    child.once('message', (message) => resolve(message as AwsStandInsReady));
    child.once('exit', (code) => reject(new Error(`the AWS stand-ins exited with ${code}`)));
  });
  return {
    ready,
    stop: async () => {
      child.send('stop');
      await exited;
    },
  };
}
