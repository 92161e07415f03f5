import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DefaultChangeMessage } from '../flow/default-change-message';
import { recordExpiry, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from './dynamodb-setup-records';

/** What the API wrote for a change when it accepted it: the worker's proof that a message is the API's. */
export interface RequestedChangeRecord {
  customerId: string | undefined;
  /** The queue message exactly as the API enqueued it (JSON); absent on a record this service never wrote. */
  request: string | undefined;
}

const changeKey = (changeId: string) => ({ [TABLE_PARTITION_KEY]: { S: `default_change#${changeId}` } });

/**
 * Writes a change's `queued` record before it is enqueued, so its status URL answers (to its customer only)
 * from the first poll; the worker's claim accepts `queued`, and its outcome replaces the status fields.
 * The record also keeps the whole request (`request`, never replaced by an outcome): only the session API
 * writes these records, so a queue message that matches one is the API's own, and one that does not — sent
 * by another role that may send to the queue, or edited — is dropped by the worker.
 */
export function createDynamoDbChangeRequests(
  client: DynamoDBClient,
  options: { tableName: string; recordRetentionDays: number; now?: () => number },
) {
  const now = options.now ?? Date.now;
  return {
    async recordRequested(change: DefaultChangeMessage, paymentMethodId: string): Promise<void> {
      const nowMs = now();
      // UpdateItem rather than PutItem: the one write action the session API is granted on the table.
      await client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: changeKey(change.changeId),
          UpdateExpression: `SET #status = :queued, customerId = :customerId, paymentMethodId = :pm, queuedAt = :now, updatedAt = :updatedAt, #request = :request, #ttl = :ttl${change.subscription ? ', subscriptionId = :subscription' : ''}${change.removing ? ', removing = :removing' : ''}`,
          // Or this very record as this request left it: the SDK's retry of a write whose answer was lost
          // (a 500 after DynamoDB applied it) must count as the success it is, not as a clash.
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :queued AND #request = :request AND customerId = :customerId)',
          ExpressionAttributeNames: {
            '#pk': TABLE_PARTITION_KEY,
            '#status': 'status',
            '#request': 'request',
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':queued': { S: 'queued' },
            ':customerId': { S: change.customerId },
            ':pm': { S: paymentMethodId },
            ':now': { N: String(nowMs) },
            ':updatedAt': { S: new Date(nowMs).toISOString() },
            ':request': { S: JSON.stringify(change) },
            ':ttl': recordExpiry(nowMs, options.recordRetentionDays),
            ...(change.subscription ? { ':subscription': { S: change.subscription } } : {}),
            // A removal's status names the removed method whatever replaces it (getChangeStatus).
            ...(change.removing ? { ':removing': { S: change.removing } } : {}),
          },
        }),
      );
    },

    async requestOf(changeId: string): Promise<RequestedChangeRecord | undefined> {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: changeKey(changeId),
          ConsistentRead: true,
          ProjectionExpression: 'customerId, #request',
          ExpressionAttributeNames: { '#request': 'request' },
        }),
      );
      return Item ? { customerId: Item.customerId?.S, request: Item.request?.S } : undefined;
    },
  };
}

export type ChangeRequests = ReturnType<typeof createDynamoDbChangeRequests>;
