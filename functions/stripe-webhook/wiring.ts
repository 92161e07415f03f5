import { createSqsEventQueue } from '../shared/adapters/sqs-event-queue';
import { createSqsClient } from '../shared/aws-clients/sqs';
import { readLogLevel, readQueueUrl, readStripeMode, readStripeWebhookConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { webhookSigningSecretsReader } from '../shared/secrets';
import { buildStripeWebhookHandler } from './handler';

/** Reads configuration once and builds what the webhook needs: a queue, the signing secrets, a logger. */
export function wireStripeWebhook(env: Record<string, string | undefined>) {
  return buildStripeWebhookHandler({
    queue: createSqsEventQueue(createSqsClient(), readQueueUrl(env)),
    signingSecrets: webhookSigningSecretsReader(env),
    webhook: readStripeWebhookConfig(env),
    stripeMode: readStripeMode(env),
    log: createLogger(readLogLevel(env), { service: 'stripe-webhook' }),
  });
}
