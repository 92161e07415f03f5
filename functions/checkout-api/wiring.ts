import { createDynamoDbSetupRecords } from '../shared/adapters/dynamodb-setup-records';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createDynamoDbClient } from '../shared/aws-clients';
import {
  readCheckoutConfig,
  readLogLevel,
  readProcessingConfig,
  readStripeApiConfig,
  readTableName,
} from '../shared/config';
import { createLogger } from '../shared/logger';
import { createStripeClient } from '../shared/stripe-client';
import { buildCheckoutApiHandler } from './handler';

/** Reads configuration once and builds the clients the session API needs. */
export function wireCheckoutApi(env: Record<string, string | undefined>) {
  const processing = readProcessingConfig(env);
  return buildCheckoutApiHandler({
    stripe: createStripeGateway(createStripeClient(readStripeApiConfig(env))),
    records: createDynamoDbSetupRecords(createDynamoDbClient(), {
      tableName: readTableName(env),
      ...processing,
    }),
    checkout: readCheckoutConfig(env),
    log: createLogger(readLogLevel(env), { service: 'checkout-api' }),
  });
}
