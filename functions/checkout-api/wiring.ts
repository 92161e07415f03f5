import { createDynamoDbSetupRecords } from '../shared/adapters/dynamodb-setup-records';
import { createSqsEventQueue } from '../shared/adapters/sqs-event-queue';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createJwtVerifier } from '../shared/auth/jwt-verifier';
import { createDynamoDbClient } from '../shared/aws-clients/dynamodb';
import { createSqsClient } from '../shared/aws-clients/sqs';
import {
  readAllowedRedirectOrigins,
  readCallerAuthConfig,
  readCheckoutConfig,
  readLogLevel,
  readLogSampleRate,
  readMetricsNamespace,
  readProcessingConfig,
  readQueueUrl,
  readSessionsPerCustomerPerMinute,
  readStripeConnection,
  readTableName,
} from '../shared/config';
import { apiGatewayRequestId } from '../shared/http';
import { createObservability } from '../shared/observability';
import type { EventQueue } from '../shared/ports';
import { stripeSecretKeyReader } from '../shared/secrets';
import { stripeClientProvider } from '../shared/stripe-client';
import type { CallerAuth } from './caller';
import { buildCheckoutApiHandler } from './handler';
import { createDynamoDbSessionRateLimit } from './session-rate-limit';

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
  const queueUrl = readQueueUrl(env);
  // Only the status route's re-queue of a completed session whose webhook message went missing sends to
  // SQS (flow/setup-status.ts), so the client is built on that first use, not at every cold start.
  let queue: EventQueue | undefined;
  const handler = buildCheckoutApiHandler({
    // 4 s × 2 attempts + backoff stays well inside the function's 15 s, so a slow Stripe is a mapped 502.
    stripe: createStripeGateway(
      stripeClientProvider(stripeSecretKeyReader(env), readStripeConnection(env), {
        timeoutMs: 4000,
        maxNetworkRetries: 1,
      }),
    ),
    records: createDynamoDbSetupRecords(dynamodb, { tableName, ...readProcessingConfig(env) }),
    queue: {
      enqueue: (message) => {
        queue ??= createSqsEventQueue(createSqsClient(), queueUrl);
        return queue.enqueue(message);
      },
    },
    checkout: readCheckoutConfig(env),
    auth,
    allowedRedirectOrigins: readAllowedRedirectOrigins(env),
    sessionRateLimit: createDynamoDbSessionRateLimit(dynamodb, {
      tableName,
      perMinute: readSessionsPerCustomerPerMinute(env),
    }),
    log,
  });
  return observability.lambdaHandler(handler, apiGatewayRequestId);
}
