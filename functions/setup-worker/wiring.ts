import { createDynamoDbChangeRequests } from '../shared/adapters/dynamodb-default-changes';
import { createDynamoDbSetupRecords } from '../shared/adapters/dynamodb-setup-records';
import {
  createEventBridgeOutcomePublisher,
  noOutcomePublisher,
} from '../shared/adapters/eventbridge-outcome-publisher';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createDynamoDbClient } from '../shared/aws-clients/dynamodb';
import { createEventBridgeClient } from '../shared/aws-clients/eventbridge';
import { createSqsClient } from '../shared/aws-clients/sqs';
import {
  readEventBusName,
  readLogLevel,
  readLogSampleRate,
  readPaymentMethodOptions,
  readPaysOpenInvoices,
  readProcessingConfig,
  readStripeConnection,
  readTableName,
  readWorkerLimits,
  readWorkerRetryConfig,
} from '../shared/config';
import { createObservability } from '../shared/observability';
import { createTokenBucket, rateLimited, unlimited } from '../shared/rate-limiter';
import { reportingRefusals, setupProofSecretsReader, stripeSecretKeyReader } from '../shared/secrets';
import { createSetupProof } from '../shared/setup-proof';
import { stripeClientProvider, worstCaseCallMs } from '../shared/stripe-client';
import { buildSetupWorkerHandler } from './handler';
import { createSqsWorkQueue } from './work-queue';

/** After the last Stripe call: the outcome's EventBridge event, the claim's DynamoDB write, the hand-back. */
const FINISH_ALLOWANCE_MS = 3_000;

/** Reads configuration once and builds the worker's Stripe gateway, processing records and logger. */
export function wireSetupWorker(env: Record<string, string | undefined>) {
  const limits = readWorkerLimits(env);
  const eventBusName = readEventBusName(env);
  const limiter = limits.stripeRequestsPerSecond
    ? createTokenBucket(limits.stripeRequestsPerSecond)
    : unlimited;
  const observability = createObservability('setup-worker', {
    logLevel: readLogLevel(env),
    logSampleRate: readLogSampleRate(env),
    metricsNamespace: limits.metricsNamespace,
  });
  // 10 s × 3 attempts + backoff (31.5 s) fits the worker's 60 s Lambda timeout; the handler starts no
  // Stripe call later than that before the end of its invocation.
  const budget = { timeoutMs: limits.stripeTimeoutMs, maxNetworkRetries: 2 };
  const stripeClient = stripeClientProvider(
    reportingRefusals(stripeSecretKeyReader(env), observability),
    readStripeConnection(env),
    budget,
    observability.stripeResponses,
  );
  const { queues, ...retryPolicy } = readWorkerRetryConfig(env);
  const processing = readProcessingConfig(env);
  const dynamodb = createDynamoDbClient();
  const recordOptions = { tableName: readTableName(env), ...processing };
  const handler = buildSetupWorkerHandler({
    stripe: createStripeGateway(rateLimited(stripeClient, limiter)),
    records: createDynamoDbSetupRecords(dynamodb, recordOptions),
    changes: createDynamoDbSetupRecords(dynamodb, { ...recordOptions, itemPrefix: 'default_change' }),
    changeRequests: createDynamoDbChangeRequests(dynamodb, recordOptions),
    setupProof: createSetupProof(setupProofSecretsReader(env)),
    maxSetupAgeSeconds: processing.recordRetentionDays * 86_400,
    outcomes: eventBusName
      ? createEventBridgeOutcomePublisher(createEventBridgeClient(), eventBusName)
      : noOutcomePublisher,
    log: observability.log,
    metrics: observability.metrics,
    payOpenInvoices: readPaysOpenInvoices(env),
    ...readPaymentMethodOptions(env),
    ...(queues ? { workQueue: createSqsWorkQueue(createSqsClient(), queues) } : {}),
    retryPolicy,
    stripeCallWorstCaseMs: worstCaseCallMs(budget),
    ...(limits.stripeRequestsPerSecond ? { stripeRequestsPerSecond: limits.stripeRequestsPerSecond } : {}),
    finishAllowanceMs: FINISH_ALLOWANCE_MS,
  });
  return observability.lambdaHandler(handler);
}
