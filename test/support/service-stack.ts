import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import Stripe from 'stripe';
import { type LocalHttpApi, startHttpApi } from '../../dev/http-api/server';
import { localAwsEnvironment } from '../../dev/local-aws/credentials';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../dev/local-aws/dynamodb';
import { startLocalLambdaRuntime } from '../../dev/local-aws/lambda-runtime';
import { queueDepth as localQueueDepth } from '../../dev/local-aws/queue-depth';
import { type LocalQueueOptions, type LocalSqs, startLocalSqs } from '../../dev/local-aws/sqs';
import {
  drainQueue,
  type PollOptions,
  type PollResult,
  pollOnce,
} from '../../dev/local-aws/sqs-event-source';
import { type LocalJwtIssuer, startLocalJwtIssuer } from '../../dev/local-jwt-issuer';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { wireCheckoutApi } from '../../functions/checkout-api/wiring';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { createDynamoDbSetupRecords } from '../../functions/shared/adapters/dynamodb-setup-records';
import { createJwtVerifier } from '../../functions/shared/auth/jwt-verifier';
import type { SetupRecords } from '../../functions/shared/ports';
import {
  CHECKOUT_API_ROUTES,
  JWT_AUTHORIZED_ROUTES,
  STRIPE_WEBHOOK_ROUTE,
} from '../../functions/shared/routes';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { type AwsFaults, startAwsFaults } from './aws-faults';

export const TEST_STRIPE_KEY = 'sk_test_servicestack_0123456789abcdef';
/** The session API's and worker's HMAC key for the setup proof (setup-proof.ts). */
export const TEST_SETUP_PROOF_SECRET = 'test-setup-proof-secret-0123456789abcdef';

export interface ServiceStack {
  stripeStandIn: StripeStandIn;
  /** The official SDK pointed at the stand-in, for arranging customers and subscriptions in tests. */
  stripe: Stripe;
  dynamodb: LocalDynamoDb;
  sqs: LocalSqs;
  /** The session API and webhook behind a local HTTP API, as API Gateway would serve them. */
  api: LocalHttpApi;
  env: Record<string, string>;
  /** With `auth: true`: the local issuer whose tokens the API accepts (`issuer.tokenFor(customerId)`). */
  issuer?: LocalJwtIssuer;
  /** With `awsFaults: true`: the fault-injecting proxies in front of every AWS service the functions call. */
  awsFaults?: AwsFaults;
  /** The worker's own DynamoDB records, for checking outcomes (straight to DynamoDB, never faulted). */
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
  /**
   * JWT auth as deployed: a local issuer, API Gateway's JWT authorizer on the session routes (mirrored by
   * the local HTTP API), AUTH_MODE=jwt in the function. Default off: callers name their customer.
   */
  auth?: boolean;
  /**
   * The functions reach DynamoDB, SQS, EventBridge and Secrets Manager through fault-injecting proxies
   * (faults off until `awsFaults.start`); the tests' own views (records, queue polling) go straight.
   */
  awsFaults?: boolean;
  /** The worker's Lambda timeout (default 60 s, as deployed): its invocations fail as Lambda's do after it. */
  workerTimeoutMs?: number;
}

/** Starts every stand-in on a free port and wires the three real handlers to them. */
export async function startServiceStack(options: ServiceStackOptions = {}): Promise<ServiceStack> {
  // Each handler is invoked as Lambda does, with a context and a trace id of its own.
  const lambda = startLocalLambdaRuntime();
  const [stripeStandIn, dynamodb, sqs, issuer] = await Promise.all([
    startStripeStandIn(),
    startLocalDynamoDb(),
    startLocalSqs(options.queue),
    options.auth ? startLocalJwtIssuer() : undefined,
  ]);
  const awsFaults = options.awsFaults
    ? await startAwsFaults(
        { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, queueUrl: sqs.queueUrl },
        { stripeSecretKey: TEST_STRIPE_KEY, webhookSecret: stripeStandIn.webhookSecret },
      )
    : undefined;
  // The AWS SDK reads endpoints and credentials from process.env, as it does inside Lambda.
  Object.assign(process.env, localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodb.endpoint }));
  for (const [name, value] of Object.entries(awsFaults?.env ?? {})) {
    if (name.startsWith('AWS_')) process.env[name] = value;
  }
  const env: Record<string, string> = {
    STRIPE_SECRET_KEY: TEST_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: stripeStandIn.webhookSecret,
    SETUP_PROOF_SECRET: TEST_SETUP_PROOF_SECRET,
    STRIPE_API_BASE: stripeStandIn.url,
    QUEUE_URL: sqs.queueUrl,
    DEAD_LETTER_QUEUE_URL: sqs.deadLetterQueueUrl,
    TABLE_NAME: dynamodb.tableName,
    CHECKOUT_SUCCESS_URL: 'https://app.example.com/billing/updated',
    CHECKOUT_CANCEL_URL: 'https://app.example.com/billing',
    LOG_LEVEL: 'silent',
    STRIPE_MODE: 'test',
    // A local frontend's dev server, as an integrator runs one beside `npm run dev`.
    ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com,https://shop.example.com,http://localhost:5173',
    // Tests create many sessions per customer in a minute; the cap has its own tests with a low value.
    SESSIONS_PER_CUSTOMER_PER_MINUTE: '1000',
    STATUS_REQUESTS_PER_CUSTOMER_PER_MINUTE: '10000',
    // Likewise the Stripe-call budget and the listing cache (tests change Stripe behind the API's back).
    STRIPE_CALLS_PER_CALLER_PER_SECOND: '100',
    STRIPE_CALL_BURST_PER_CALLER: '10000',
    LISTING_CACHE_SECONDS: '0',
    // Tests change sessions behind the API's back and poll at once; the shared view has its own tests.
    STATUS_SHARED_REFRESH_SECONDS: '0',
    // The worker's backoff on the tests' time scale (deployed: 15 s doubling to 15 minutes).
    RETRY_BACKOFF_BASE_SECONDS: '1',
    RETRY_BACKOFF_CAP_SECONDS: '4',
    ...(issuer
      ? { AUTH_MODE: 'jwt', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience }
      : { AUTH_MODE: 'none' }),
    ...awsFaults?.env,
    ...options.env,
  };
  const checkoutApi = lambda.invoker('checkout-api', wireCheckoutApi(env));
  const webhook = lambda.invoker('stripe-webhook', wireStripeWebhook(env));
  const worker = lambda.invoker('setup-worker', wireSetupWorker(env), {
    ...(options.workerTimeoutMs ? { timeoutMs: options.workerTimeoutMs } : {}),
  });
  const jwtAuthorizer = issuer && createJwtVerifier({ issuer: issuer.issuer, audiences: [issuer.audience] });
  const api = await startHttpApi([
    ...CHECKOUT_API_ROUTES.map((routeKey) => ({
      routeKey,
      handler: checkoutApi,
      ...(jwtAuthorizer && JWT_AUTHORIZED_ROUTES.includes(routeKey) ? { jwtAuthorizer } : {}),
    })),
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
    issuer,
    ...(awsFaults ? { awsFaults } : {}),
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
      await Promise.all([
        api.close(),
        stripeStandIn.close(),
        dynamodb.close(),
        sqs.close(),
        issuer?.close(),
        awsFaults?.close(),
      ]);
    },
  };
}

/** Messages waiting or in flight in the work queue (or, given its URL, the dead-letter queue). */
export function queueDepth(sqs: LocalSqs, queueUrl = sqs.queueUrl): Promise<number> {
  return localQueueDepth(sqs.client, queueUrl);
}
