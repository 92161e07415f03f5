import { createDynamoDbSetupRecords } from '../shared/adapters/dynamodb-setup-records';
import { createStripeGateway } from '../shared/adapters/stripe-gateway';
import { createDynamoDbClient } from '../shared/aws-clients';
import {
  readCheckoutConfig,
  readLogLevel,
  readProcessingConfig,
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
    checkout: readCheckoutConfig(env),
    log: createLogger(readLogLevel(env), { service: 'checkout-api' }),
  });
}
