import { createDynamoDbSessionCompletions } from '../shared/adapters/dynamodb-session-completions';
import { createSqsEventQueue } from '../shared/adapters/sqs-event-queue';
import { createSqsRecoveryQueue } from '../shared/adapters/sqs-recovery-queue';
import { createDynamoDbClient } from '../shared/aws-clients/dynamodb';
import { createSqsClient } from '../shared/aws-clients/sqs';
import {
  readLogLevel,
  readLogSampleRate,
  readMetricsNamespace,
  readProcessingConfig,
  readQueueUrl,
  readStripeMode,
  readStripeWebhookConfig,
  readTableName,
} from '../shared/config';
import { apiGatewayRequestId } from '../shared/http';
import { createObservability } from '../shared/observability';
import { reportingRefusals, webhookSigningSecretsReader } from '../shared/secrets';
import { buildStripeWebhookHandler } from './handler';

/**
 * Reads configuration once and builds what the webhook needs: a queue, the completed sessions' records, the
 * signing secrets, a logger.
 */
export function wireStripeWebhook(env: Record<string, string | undefined>) {
  const observability = createObservability('stripe-webhook', {
    logLevel: readLogLevel(env),
    logSampleRate: readLogSampleRate(env),
    metricsNamespace: readMetricsNamespace(env),
  });
  const sqs = createSqsClient();
  const queueUrl = readQueueUrl(env);
  const handler = buildStripeWebhookHandler({
    queue: createSqsEventQueue(sqs, queueUrl),
    completions: createDynamoDbSessionCompletions(createDynamoDbClient(), {
      tableName: readTableName(env),
      recordRetentionDays: readProcessingConfig(env).recordRetentionDays,
    }),
    recoveryQueue: createSqsRecoveryQueue(sqs, queueUrl),
    signingSecrets: reportingRefusals(webhookSigningSecretsReader(env), observability),
    webhook: readStripeWebhookConfig(env),
    stripeMode: readStripeMode(env),
    log: observability.log,
    metrics: observability.metrics,
  });
  return observability.lambdaHandler(handler, apiGatewayRequestId);
}
