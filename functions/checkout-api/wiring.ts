import { createDynamoDbSetupRecords } from '../shared/adapters/dynamodb-setup-records';
import { createSqsEventQueue } from '../shared/adapters/sqs-event-queue';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createDynamoDbClient, createSqsClient } from '../shared/aws-clients';
import {
  readCheckoutConfig,
  readLogLevel,
  readProcessingConfig,
  readQueueUrl,
  readStripeConnection,
  readTableName,
} from '../shared/config';
import { createLogger } from '../shared/logger';
import { stripeSecretKeyReader } from '../shared/secrets';
import { stripeClientProvider } from '../shared/stripe-client';
import { buildCheckoutApiHandler } from './handler';

/** Reads configuration once and builds the clients the session API needs. */
export function wireCheckoutApi(env: Record<string, string | undefined>) {
  return buildCheckoutApiHandler({
    stripe: createStripeGateway(stripeClientProvider(stripeSecretKeyReader(env), readStripeConnection(env))),
    records: createDynamoDbSetupRecords(createDynamoDbClient(), {
      tableName: readTableName(env),
      ...readProcessingConfig(env),
    }),
    queue: createSqsEventQueue(createSqsClient(), readQueueUrl(env)),
    checkout: readCheckoutConfig(env),
    log: createLogger(readLogLevel(env), { service: 'checkout-api' }),
  });
}
