import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { UpdateLink, UpdateLinks } from '../recovery-ports';
import { recordExpiry, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from './dynamodb-setup-records';

/**
 * One item per update link (`update_link#<id>`), whose status is the guard: open until a setup through it
 * applied (used) or the SaaS revoked it. Each customer's links are listed in `update_links#<customer>`, so a
 * deleted customer's links can all be revoked. Items outlive the link by the record retention, so a used or
 * revoked link still answers 410 rather than 404 until well after it expired. UpdateItem only: the one
 * write action the session API is granted on the table.
 */
export function createDynamoDbUpdateLinks(
  client: DynamoDBClient,
  options: { tableName: string; recordRetentionDays: number; now?: () => number },
): UpdateLinks {
  const now = options.now ?? Date.now;
  const { tableName } = options;
  const key = (linkId: string) => ({ [TABLE_PARTITION_KEY]: { S: `update_link#${linkId}` } });
  const ttlAfter = (expiresAt: number) => recordExpiry(expiresAt * 1000, options.recordRetentionDays);
  const writeIf = async (command: UpdateItemCommand): Promise<boolean> => {
    try {
      await client.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  async function get(linkId: string): Promise<UpdateLink | undefined> {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: key(linkId), ConsistentRead: true }),
    );
    return Item ? toLink(linkId, Item) : undefined;
  }

  return {
    get,
    async create(link) {
      await writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(link.linkId),
          UpdateExpression: `SET customerId = :customer, reason = :reason, linkExpiresAt = :expires, #status = :open, createdAt = :createdAt, #ttl = :ttl${link.subscriptionId ? ', subscriptionId = :subscription' : ''}${link.invoiceId ? ', invoiceId = :invoice' : ''}`,
          // Created once: a retried worker (same event, same link id) finds its own link and keeps it.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': TABLE_PARTITION_KEY,
            '#status': 'status',
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':customer': { S: link.customerId },
            ':reason': { S: link.reason },
            ':expires': { N: String(link.expiresAt) },
            ':open': { S: 'open' },
            ':createdAt': { S: new Date(now()).toISOString() },
            ':ttl': ttlAfter(link.expiresAt),
            ...(link.subscriptionId ? { ':subscription': { S: link.subscriptionId } } : {}),
            ...(link.invoiceId ? { ':invoice': { S: link.invoiceId } } : {}),
          },
        }),
      );
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [TABLE_PARTITION_KEY]: { S: `update_links#${link.customerId}` } },
          UpdateExpression: 'ADD linkIds :link SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':link': { SS: [link.linkId] }, ':ttl': ttlAfter(link.expiresAt) },
        }),
      );
      const stored = await get(link.linkId);
      if (!stored) throw new Error(`update link ${link.linkId} was not stored`);
      return stored;
    },

    attachSession(linkId, session, previousSessionId) {
      return writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(linkId),
          UpdateExpression: 'SET sessionId = :id, sessionUrl = :url, sessionExpiresAt = :expires',
          ConditionExpression: previousSessionId
            ? '#status = :open AND sessionId = :previous'
            : '#status = :open AND attribute_not_exists(sessionId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':id': { S: session.id },
            ':url': { S: session.url },
            ':expires': { N: String(session.expiresAt) },
            ':open': { S: 'open' },
            ...(previousSessionId ? { ':previous': { S: previousSessionId } } : {}),
          },
        }),
      );
    },

    markUsed(linkId, setupIntentId) {
      return writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(linkId),
          UpdateExpression: 'SET #status = :used, usedBy = :setup, usedAt = :now',
          ConditionExpression: '#status = :open OR usedBy = :setup',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':used': { S: 'used' },
            ':open': { S: 'open' },
            ':setup': { S: setupIntentId },
            ':now': { S: new Date(now()).toISOString() },
          },
        }),
      );
    },

    async revoke(linkId) {
      const revoked = await writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(linkId),
          UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
          ConditionExpression: '#status IN (:open, :revoked)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':revoked': { S: 'revoked' },
            ':open': { S: 'open' },
            ':now': { S: new Date(now()).toISOString() },
          },
        }),
      );
      return revoked;
    },

    async linksOf(customerId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { [TABLE_PARTITION_KEY]: { S: `update_links#${customerId}` } },
          ConsistentRead: true,
        }),
      );
      return Item?.linkIds?.SS ?? [];
    },
  };
}

function toLink(linkId: string, item: Record<string, AttributeValue>): UpdateLink {
  const text = (name: string) => item[name]?.S;
  const number = (name: string) => Number(item[name]?.N ?? 0);
  const sessionId = text('sessionId');
  const sessionUrl = text('sessionUrl');
  return {
    linkId,
    customerId: text('customerId') ?? '',
    subscriptionId: text('subscriptionId') ?? null,
    reason: (text('reason') ?? 'requested') as UpdateLink['reason'],
    invoiceId: text('invoiceId') ?? null,
    expiresAt: number('linkExpiresAt'),
    status: (text('status') ?? 'open') as UpdateLink['status'],
    ...(sessionId && sessionUrl
      ? { session: { id: sessionId, url: sessionUrl, expiresAt: number('sessionExpiresAt') } }
      : {}),
    ...(text('usedBy') ? { usedBySetupIntentId: text('usedBy') } : {}),
  };
}
