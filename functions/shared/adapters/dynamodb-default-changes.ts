import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { recordExpiry, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from './dynamodb-setup-records';

export interface RequestedChange {
  changeId: string;
  customerId: string;
  paymentMethodId: string;
  subscription?: string;
}

/**
 * Writes a change's `queued` record before it is enqueued, so its status URL answers (to its customer only)
 * from the first poll; the worker's claim accepts `queued`, and its outcome replaces these fields.
 */
export function createDynamoDbChangeRequests(
  client: DynamoDBClient,
  options: { tableName: string; recordRetentionDays: number; now?: () => number },
) {
  const now = options.now ?? Date.now;
  return {
    async recordRequested(change: RequestedChange): Promise<void> {
      const nowMs = now();
      // UpdateItem rather than PutItem: the one write action the session API is granted on the table.
      await client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: { [TABLE_PARTITION_KEY]: { S: `default_change#${change.changeId}` } },
          UpdateExpression: `SET #status = :queued, customerId = :customerId, paymentMethodId = :pm, queuedAt = :now, updatedAt = :updatedAt, #ttl = :ttl${change.subscription ? ', subscriptionId = :subscription' : ''}`,
          // Or this very record as this request left it: the SDK's retry of a write whose answer was lost
          // (a 500 after DynamoDB applied it) must count as the success it is, not as a clash.
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :queued AND queuedAt = :now AND customerId = :customerId)',
          ExpressionAttributeNames: {
            '#pk': TABLE_PARTITION_KEY,
            '#status': 'status',
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':queued': { S: 'queued' },
            ':customerId': { S: change.customerId },
            ':pm': { S: change.paymentMethodId },
            ':now': { N: String(nowMs) },
            ':updatedAt': { S: new Date(nowMs).toISOString() },
            ':ttl': recordExpiry(nowMs, options.recordRetentionDays),
            ...(change.subscription ? { ':subscription': { S: change.subscription } } : {}),
          },
        }),
      );
    },
  };
}

export type ChangeRequests = ReturnType<typeof createDynamoDbChangeRequests>;
