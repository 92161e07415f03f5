import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoDbChangeMarkers } from '../shared/adapters/dynamodb-change-markers';
import { createDynamoDbChangeRequests } from '../shared/adapters/dynamodb-default-changes';
import { createDynamoDbSessionCompletions } from '../shared/adapters/dynamodb-session-completions';
import { createDynamoDbSetupRecords, readDefaultChangedAt } from '../shared/adapters/dynamodb-setup-records';
import { createDynamoDbUpdateLinks } from '../shared/adapters/dynamodb-update-links';
import {
  createSqsDefaultChangeQueue,
  type DefaultChangeQueue,
} from '../shared/adapters/sqs-default-change-queue';
import { createSqsEventQueue } from '../shared/adapters/sqs-event-queue';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createStripeRecovery } from '../shared/adapters/stripe-recovery';
import { createFormTokens } from '../shared/auth/form-token';
import { createJwtVerifier } from '../shared/auth/jwt-verifier';
import { createDynamoDbClient } from '../shared/aws-clients/dynamodb';
import { createSqsClient } from '../shared/aws-clients/sqs';
import {
  readAllowedRedirectOrigins,
  readCallerAuthConfig,
  readCheckoutConfig,
  readListingCacheSeconds,
  readLogLevel,
  readLogSampleRate,
  readMetricsNamespace,
  readProcessingConfig,
  readQueueUrl,
  readRecoveryConfig,
  readSessionsPerCustomerPerMinute,
  readStatusRouteConfig,
  readStripeCallBudget,
  readStripeConnection,
  readTableName,
} from '../shared/config';
import { StripeRequestFailed } from '../shared/errors';
import { listPaymentMethods } from '../shared/flow/list-payment-methods';
import { apiGatewayRequestId } from '../shared/http';
import { createObservability } from '../shared/observability';
import type { EventQueue } from '../shared/ports';
import { STRIPE_CALLS_PER_REQUEST, SUBSCRIPTION_PAGES_PER_REQUEST } from '../shared/routes';
import { reportingRefusals, setupProofSecretsReader, stripeSecretKeyReader } from '../shared/secrets';
import { createSetupProof } from '../shared/setup-proof';
import { stripeClientProvider } from '../shared/stripe-client';
import { createUpdateLinkTokens } from '../shared/update-link-token';
import type { CallerAuth } from './caller';
import { buildCheckoutApiHandler } from './handler';
import { cachedListing } from './listing-cache';
import { cachedSessionLookup } from './session-lookup-cache';
import { createDynamoDbSessionRateLimit, STATUS_BUDGET } from './session-rate-limit';
import { sharedSessionView } from './shared-session-view';
import { createDynamoDbStripeCallBudget } from './stripe-call-budget';

/** Reads configuration once and builds the clients the session API needs. */
export function wireCheckoutApi(env: Record<string, string | undefined>) {
  const observability = createObservability('checkout-api', {
    logLevel: readLogLevel(env),
    logSampleRate: readLogSampleRate(env),
    metricsNamespace: readMetricsNamespace(env),
  });
  const { log } = observability;
  const authConfig = readCallerAuthConfig(env);
  const auth: CallerAuth =
    authConfig.mode === 'jwt' ? { ...authConfig, verify: createJwtVerifier(authConfig) } : authConfig;
  if (auth.mode === 'none') {
    // Every cold start, so an unauthenticated deployment cannot go unnoticed in its logs.
    log.warn('AUTH_MODE=none: callers are not authenticated and name their own customer', {
      authMode: 'none',
    });
  }
  const dynamodb = createDynamoDbClient();
  const tableName = readTableName(env);
  const processing = readProcessingConfig(env);
  const statusRoute = readStatusRouteConfig(env);
  // 4 s × 2 attempts + backoff stays well inside the function's 15 s, so a slow Stripe is a mapped 502.
  const stripeClient = stripeClientProvider(
    reportingRefusals(stripeSecretKeyReader(env), observability),
    readStripeConnection(env),
    { timeoutMs: 4000, maxNetworkRetries: 1 },
    observability.stripeResponses,
  );
  const changeMarkers = createDynamoDbChangeMarkers(dynamodb, { tableName });
  const defaultChangedAt = readDefaultChangedAt(dynamodb, tableName);
  const stripe = createStripeGateway(stripeClient, { maxSubscriptionPages: SUBSCRIPTION_PAGES_PER_REQUEST });
  const recovery = readRecoveryConfig(env);
  const costliestRequest = Math.max(...Object.values(STRIPE_CALLS_PER_REQUEST));
  const queueUrl = readQueueUrl(env);
  // Only the status route's re-queue of a completed session whose webhook message went missing, and the
  // saved-method changes, send to SQS (flow/setup-status.ts, flow/payment-method-changes.ts), so the
  // client is built on that first use, not at every cold start.
  let sqs: SQSClient | undefined;
  const sqsClient = () => {
    sqs ??= createSqsClient();
    return sqs;
  };
  let queue: EventQueue | undefined;
  let changeQueue: DefaultChangeQueue | undefined;
  const handler = buildCheckoutApiHandler({
    stripe: {
      ...stripe,
      retrieveSetupSession: cachedSessionLookup(
        statusRoute.sharedRefreshSeconds > 0
          ? sharedSessionView(stripe.retrieveSetupSession, dynamodb, {
              tableName,
              refreshMs: statusRoute.sharedRefreshSeconds * 1000,
              retentionSeconds: processing.recordRetentionDays * 86_400,
            })
          : stripe.retrieveSetupSession,
        { ttlMs: statusRoute.cacheSeconds * 1000 },
        (error) => error instanceof StripeRequestFailed && error.kind === 'not_found',
      ),
    },
    records: createDynamoDbSetupRecords(dynamodb, { tableName, ...processing }),
    completions: createDynamoDbSessionCompletions(dynamodb, { tableName, ...processing }),
    queue: {
      enqueue: (message) => {
        queue ??= createSqsEventQueue(sqsClient(), queueUrl);
        return queue.enqueue(message);
      },
    },
    changes: createDynamoDbSetupRecords(dynamodb, { tableName, ...processing, itemPrefix: 'default_change' }),
    changeRequests: createDynamoDbChangeRequests(dynamodb, { tableName, ...processing }),
    changeQueue: {
      enqueue: (message) => {
        changeQueue ??= createSqsDefaultChangeQueue(sqsClient(), queueUrl);
        return changeQueue.enqueue(message);
      },
    },
    checkout: readCheckoutConfig(env),
    auth,
    allowedRedirectOrigins: readAllowedRedirectOrigins(env),
    sessionRateLimit: createDynamoDbSessionRateLimit(dynamodb, {
      tableName,
      perMinute: readSessionsPerCustomerPerMinute(env),
    }),
    statusRateLimit: createDynamoDbSessionRateLimit(dynamodb, {
      tableName,
      perMinute: statusRoute.perMinute,
      budget: STATUS_BUDGET,
    }),
    stripeCalls: createDynamoDbStripeCallBudget(dynamodb, {
      tableName,
      ...readStripeCallBudget(env, costliestRequest),
    }),
    changeMarkers,
    listing: cachedListing(
      (customerId, page) => listPaymentMethods(stripe, customerId, page),
      changeMarkers,
      (customerId) => defaultChangedAt({ kind: 'customer', id: customerId }),
      {
        ttlMs: readListingCacheSeconds(env) * 1000,
        // Switches and removals are applied within seconds of being asked for.
        settleMs: 60_000,
      },
    ),
    setupProof: createSetupProof(setupProofSecretsReader(env)),
    formTokens: createFormTokens(setupProofSecretsReader(env)),
    retryWindowSeconds: processing.setupRetryWindowHours * 3600,
    log,
    updateLinks: {
      links: createDynamoDbUpdateLinks(dynamodb, { tableName, ...processing }),
      tokens: createUpdateLinkTokens(setupProofSecretsReader(env)),
      // Links minted through the API start with the configured public URL; without one, with this API's own.
      baseUrl: recovery.linkBaseUrl ?? '',
      linkDays: recovery.linkDays,
      recoveryStripe: createStripeRecovery(stripeClient),
      ...(recovery.updateLinksScope ? { updateLinksScope: recovery.updateLinksScope } : {}),
    },
  });
  return observability.lambdaHandler(handler, apiGatewayRequestId);
}
