import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from '../shared/adapters/dynamodb-setup-records';
import { ServiceError } from '../shared/errors';

/** A per-customer budget per minute (Checkout Sessions, status reads); `take` spends one or refuses with 429. */
export interface SessionRateLimit {
  take(customerId: string): Promise<void>;
}

export interface DynamoDbSessionRateLimitOptions {
  tableName: string;
  perMinute: number;
  /** Which budget: each has its own counters (`rate#…` for sessions, `status-rate#…` for status reads). */
  budget?: { keyPrefix: string; what: string };
  now?: () => number;
}

export const SESSION_BUDGET = { keyPrefix: 'rate', what: 'sessions' } as const;
export const STATUS_BUDGET = { keyPrefix: 'status-rate', what: 'status requests' } as const;

/**
 * A fixed one-minute window per customer, counted in the service's table: Lambda instances share nothing
 * else, so an in-memory counter would multiply the cap by the number of warm instances. One conditional
 * `ADD` per session: the item `rate#<customer>#<minute>` counts up to the cap and is then refused; TTL
 * removes old windows. API Gateway's stage throttling still bounds the API as a whole.
 */
export function createDynamoDbSessionRateLimit(
  client: DynamoDBClient,
  options: DynamoDbSessionRateLimitOptions,
): SessionRateLimit {
  const now = options.now ?? Date.now;
  const budget = options.budget ?? SESSION_BUDGET;
  return {
    async take(customerId) {
      const nowSeconds = Math.floor(now() / 1000);
      const minute = Math.floor(nowSeconds / 60);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: { [TABLE_PARTITION_KEY]: { S: `${budget.keyPrefix}#${customerId}#${minute}` } },
            UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(#pk) OR #count < :limit',
            ExpressionAttributeNames: {
              '#pk': TABLE_PARTITION_KEY,
              '#count': 'count',
              '#ttl': TABLE_TTL_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ':one': { N: '1' },
              ':limit': { N: String(options.perMinute) },
              ':ttl': { N: String((minute + 2) * 60) },
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          const retryAfter = Math.max(1, (minute + 1) * 60 - nowSeconds);
          throw new ServiceError(
            429,
            'rate_limited',
            `Too many ${budget.what} for this customer; try again in ${retryAfter} seconds.`,
            { 'retry-after': String(retryAfter) },
          );
        }
        // Fail closed: without the counter the cap cannot be enforced, and DynamoDB trouble is brief.
        throw new ServiceError(503, 'rate_limit_unavailable', 'The service is busy; try again shortly.', {
          'retry-after': '1',
        });
      }
    },
  };
}
