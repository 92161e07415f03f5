import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SessionCompletion, SessionCompletions } from '../ports';
import { recordExpiry, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from './dynamodb-setup-records';

export interface DynamoDbSessionCompletionsOptions {
  tableName: string;
  recordRetentionDays: number;
  now?: () => number;
}

/** The item the session API's shared status view keeps Stripe's view of a session in (shared-session-view.ts). */
export function sessionViewKey(sessionId: string) {
  return { [TABLE_PARTITION_KEY]: { S: `session_view#${sessionId}` } };
}

/**
 * The webhook's record of a completed session, kept on the session's status-view item (its own attribute,
 * beside the view the session API reads from Stripe), so the status route reads both in one GetItem.
 */
export function createDynamoDbSessionCompletions(
  client: DynamoDBClient,
  options: DynamoDbSessionCompletionsOptions,
): SessionCompletions {
  const now = options.now ?? Date.now;
  return {
    async record(completion) {
      await client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: sessionViewKey(completion.sessionId),
          UpdateExpression: 'SET #completion = :completion, #ttl = :ttl',
          ExpressionAttributeNames: { '#completion': 'completion', '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':completion': { S: JSON.stringify(completion) },
            ':ttl': recordExpiry(now(), options.recordRetentionDays),
          },
        }),
      );
    },

    async get(sessionId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: sessionViewKey(sessionId),
          ProjectionExpression: '#completion',
          ExpressionAttributeNames: { '#completion': 'completion' },
          ConsistentRead: true,
        }),
      );
      const text = Item?.completion?.S;
      return text ? (JSON.parse(text) as SessionCompletion) : undefined;
    },
  };
}
