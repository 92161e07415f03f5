import { createDynamoDbChangeRequests } from '../shared/adapters/dynamodb-default-changes';
import {
  createDynamoDbEventClaims,
  createDynamoDbSetupRecords,
} from '../shared/adapters/dynamodb-setup-records';
import { createDynamoDbUpdateLinks } from '../shared/adapters/dynamodb-update-links';
import {
  createEventBridgeOutcomePublisher,
  createEventBridgeRecoveryPublisher,
  noOutcomePublisher,
} from '../shared/adapters/eventbridge-outcome-publisher';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createStripeRecovery } from '../shared/adapters/stripe-recovery';
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
  readRecoveryConfig,
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
import { createUpdateLinkTokens } from '../shared/update-link-token';
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
  const recovery = readRecoveryConfig(env);
  const limitedClient = rateLimited(stripeClient, limiter);
  const stripe = createStripeGateway(limitedClient);
  const recoveryStripe = createStripeRecovery(limitedClient);
  const records = createDynamoDbSetupRecords(dynamodb, recordOptions);
  const links = createDynamoDbUpdateLinks(dynamodb, recordOptions);
  const eventBridge = eventBusName ? createEventBridgeClient() : undefined;
  const handler = buildSetupWorkerHandler({
    stripe,
    records,
    changes: createDynamoDbSetupRecords(dynamodb, { ...recordOptions, itemPrefix: 'default_change' }),
    changeRequests: createDynamoDbChangeRequests(dynamodb, recordOptions),
    setupProof: createSetupProof(setupProofSecretsReader(env)),
    maxSetupAgeSeconds: processing.recordRetentionDays * 86_400,
    outcomes:
      eventBridge && eventBusName
        ? createEventBridgeOutcomePublisher(eventBridge, eventBusName)
        : noOutcomePublisher,
    linkSettlement: { links, recoveryStripe, log: observability.log },
    recovery: {
      stripe,
      recoveryStripe,
      records,
      recoveryClaims: createDynamoDbEventClaims(dynamodb, { ...recordOptions, itemPrefix: 'stripe_event' }),
      links,
      ...(recovery.linkBaseUrl
        ? {
            linkMinting: {
              links,
              tokens: createUpdateLinkTokens(setupProofSecretsReader(env)),
              baseUrl: recovery.linkBaseUrl,
              linkDays: recovery.linkDays,
            },
          }
        : {}),
      recoveryEvents:
        eventBridge && eventBusName
          ? createEventBridgeRecoveryPublisher(eventBridge, eventBusName)
          : noOutcomePublisher,
      updateNeededReasons: recovery.updateNeededReasons,
    },
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
