import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from './dynamodb-setup-records';

/** The customer's latest change asked for through the API, and the methods it is about. */
export interface LatestChange {
  changeId: string;
  paymentMethods: string[];
  /** Milliseconds. */
  changedAt: number;
}

/**
 * One small item per customer, `changes#<customer>`, rewritten with each switch or removal the customer
 * asks for: the listing cache's invalidation marker (every function instance reads the same one), and what
 * the next request is checked against, so a customer cannot set two changes about one method against each
 * other (switch to it, then remove it at once).
 */
export interface ChangeMarkers {
  latest(customerId: string): Promise<LatestChange | undefined>;
  record(customerId: string, change: { changeId: string; paymentMethods: string[] }): Promise<void>;
}

/** Kept past every settle window a cache or a pending change could still be in. */
const MARKER_HOURS = 1;

export function createDynamoDbChangeMarkers(
  client: DynamoDBClient,
  options: { tableName: string; now?: () => number },
): ChangeMarkers {
  const now = options.now ?? Date.now;
  const Key = (customerId: string) => ({ [TABLE_PARTITION_KEY]: { S: `changes#${customerId}` } });
  return {
    async latest(customerId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: options.tableName, Key: Key(customerId), ConsistentRead: true }),
      );
      const changeId = Item?.changeId?.S;
      if (!Item || !changeId) return undefined;
      return {
        changeId,
        paymentMethods: Item.paymentMethods?.SS ?? [],
        changedAt: Number(Item.changedAt?.N ?? 0),
      };
    },
    async record(customerId, change) {
      const at = now();
      await client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: Key(customerId),
          UpdateExpression:
            'SET changeId = :changeId, paymentMethods = :methods, changedAt = :at, #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':changeId': { S: change.changeId },
            ':methods': { SS: [...new Set(change.paymentMethods)] },
            ':at': { N: String(at) },
            ':ttl': { N: String(Math.ceil(at / 1000) + MARKER_HOURS * 3600) },
          },
        }),
      );
    },
  };
}
