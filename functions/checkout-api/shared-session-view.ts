import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { sessionViewKey } from '../shared/adapters/dynamodb-session-completions';
import { TABLE_TTL_ATTRIBUTE } from '../shared/adapters/dynamodb-setup-records';
import type { CheckoutSessionSnapshot } from '../shared/ports';
import { isSettled, type SessionLookup } from './session-lookup-cache';

export interface SharedSessionViewOptions {
  tableName: string;
  /** How old an unsettled session's view may be before one poller reads Stripe again. */
  refreshMs: number;
  /** How long a view is kept (the records' retention). */
  retentionSeconds: number;
  now?: () => number;
}

/**
 * Stripe's view of a session, shared by every instance of the session API through the table, so a success
 * page's polls cost Stripe reads per session, not per poll or per instance: a settled session (complete with
 * its SetupIntent succeeded or canceled, or expired) is read from Stripe once and then answered from DynamoDB;
 * an unsettled one at most once per `refreshMs`, by whichever poller claims the refresh (a conditional write),
 * while the others answer the view they find. Stripe's rate limit is per account and shared with the worker
 * and the SaaS (https://docs.stripe.com/rate-limits). Whether the defaults were applied is still read from the
 * setup record on every poll. "No such session" is never stored: a guessed id costs its caller a Stripe read,
 * which the per-caller budget charges.
 */
export function sharedSessionView(
  lookup: SessionLookup,
  dynamodb: DynamoDBClient,
  options: SharedSessionViewOptions,
): SessionLookup {
  const now = options.now ?? Date.now;
  const key = sessionViewKey;

  const claimRefresh = async (sessionId: string, at: number): Promise<boolean> => {
    try {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: key(sessionId),
          UpdateExpression: 'SET #refreshing = :until, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#refreshing) OR #refreshing < :at',
          ExpressionAttributeNames: { '#refreshing': 'refreshingUntil', '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':until': { N: String(at + options.refreshMs) },
            ':at': { N: String(at) },
            ':ttl': { N: String(Math.floor(at / 1000) + options.retentionSeconds) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const store = (sessionId: string, session: CheckoutSessionSnapshot, at: number) =>
    dynamodb.send(
      new UpdateItemCommand({
        TableName: options.tableName,
        Key: key(sessionId),
        UpdateExpression: 'SET #view = :view, #readAt = :at, #ttl = :ttl',
        ExpressionAttributeNames: {
          '#view': 'sessionView',
          '#readAt': 'readAt',
          '#ttl': TABLE_TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ':view': { S: JSON.stringify(session) },
          ':at': { N: String(at) },
          ':ttl': { N: String(Math.floor(at / 1000) + options.retentionSeconds) },
        },
      }),
    );

  return async (sessionId, beforeRequest) => {
    const at = now();
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: options.tableName, Key: key(sessionId), ConsistentRead: true }),
    );
    const view = Item?.sessionView?.S
      ? (JSON.parse(Item.sessionView.S) as CheckoutSessionSnapshot)
      : undefined;
    const readAt = Number(Item?.readAt?.N ?? 0);
    if (view && (isSettled(view) || at - readAt < options.refreshMs)) return view;
    // Another poller is reading Stripe right now: the view it replaces is at most one refresh old.
    if (!(await claimRefresh(sessionId, at)) && view) return view;
    const session = await lookup(sessionId, beforeRequest);
    await store(sessionId, session, now());
    return session;
  };
}
