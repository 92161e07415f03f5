import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ClaimResult, SetupOutcome, SetupRecord, SetupRecordStatus, SetupRecords } from '../ports';

export interface DynamoDbSetupRecordsOptions {
  tableName: string;
  claimSeconds: number;
  recordRetentionDays: number;
  now?: () => number;
}

/** Attribute names the table's TTL setting and infrastructure rely on. */
export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_TTL_ATTRIBUTE = 'expiresAt';

const sessionKey = (sessionId: string): Record<string, AttributeValue> => ({
  [TABLE_PARTITION_KEY]: { S: `checkout_session#${sessionId}` },
});

/**
 * One item per Checkout Session. Its status is the guard against double effects: a worker must win a
 * conditional write (the claim) before calling Stripe, and may record an outcome only while its claim holds.
 */
export function createDynamoDbSetupRecords(
  client: DynamoDBClient,
  options: DynamoDbSetupRecordsOptions,
): SetupRecords {
  const now = options.now ?? Date.now;
  const expiresAt = () => String(Math.floor(now() / 1000) + options.recordRetentionDays * 86_400);

  async function get(sessionId: string): Promise<SetupRecord | undefined> {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: options.tableName, Key: sessionKey(sessionId), ConsistentRead: true }),
    );
    return Item ? toRecord(sessionId, Item) : undefined;
  }

  return {
    get,

    async claim(sessionId, eventId): Promise<ClaimResult> {
      const token = randomUUID();
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: sessionKey(sessionId),
            UpdateExpression:
              'SET #status = :processing, claimToken = :token, claimExpiresAt = :claimUntil, eventId = :eventId, updatedAt = :updatedAt, #ttl = :ttl',
            // A pending session (SetupIntent still processing) may be claimed again: a later event finishes it.
            ConditionExpression:
              'attribute_not_exists(#pk) OR #status = :pending OR (#status = :processing AND claimExpiresAt < :now)',
            ExpressionAttributeNames: {
              '#pk': TABLE_PARTITION_KEY,
              '#status': 'status',
              '#ttl': TABLE_TTL_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ':processing': { S: 'processing' },
              ':pending': { S: 'pending' },
              ':token': { S: token },
              ':claimUntil': { N: String(now() + options.claimSeconds * 1000) },
              ':now': { N: String(now()) },
              ':eventId': { S: eventId },
              ':updatedAt': { S: new Date(now()).toISOString() },
              ':ttl': { N: expiresAt() },
            },
          }),
        );
        return { outcome: 'claimed', token };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const record = await get(sessionId);
      if (record && (record.status === 'applied' || record.status === 'failed')) {
        return { outcome: 'finished', record };
      }
      return { outcome: 'busy' };
    },

    async release(sessionId, token) {
      // Expiring the claim (rather than deleting the item) keeps what an earlier attempt recorded.
      await client
        .send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: sessionKey(sessionId),
            UpdateExpression: 'SET claimExpiresAt = :zero',
            ConditionExpression: 'claimToken = :token',
            ExpressionAttributeValues: { ':zero': { N: '0' }, ':token': { S: token } },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    },

    async finish(sessionId, token, outcome) {
      const values = outcomeAttributes(outcome);
      const names = Object.keys(values);
      // What an earlier outcome recorded (a pending status, a failure) must not linger beside the new one.
      const stale = OUTCOME_DETAILS.filter((name) => !(name in values));
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: sessionKey(sessionId),
            UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}, updatedAt = :updatedAt, #ttl = :ttl REMOVE ${['claimToken', 'claimExpiresAt', ...stale].join(', ')}`,
            ConditionExpression: 'claimToken = :token',
            ExpressionAttributeNames: {
              ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
              '#ttl': TABLE_TTL_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((name) => [`:${name}`, values[name] as AttributeValue])),
              ':token': { S: token },
              ':updatedAt': { S: new Date(now()).toISOString() },
              ':ttl': { N: expiresAt() },
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}

const OUTCOME_DETAILS = [
  'customerId',
  'subscriptionId',
  'paymentMethodId',
  'setupIntentStatus',
  'failureCode',
  'failureMessage',
] as const;

function outcomeAttributes(outcome: SetupOutcome): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = { status: { S: outcome.status } };
  const strings: Record<string, string | undefined> = {
    customerId: outcome.customerId,
    subscriptionId: outcome.status === 'applied' ? outcome.subscriptionId : undefined,
    paymentMethodId: outcome.status === 'applied' ? outcome.paymentMethodId : undefined,
    setupIntentStatus: outcome.status === 'pending' ? outcome.setupIntentStatus : undefined,
    failureCode: outcome.status === 'failed' ? outcome.failureCode : undefined,
    failureMessage: outcome.status === 'failed' ? outcome.failureMessage : undefined,
  };
  for (const [name, value] of Object.entries(strings)) {
    if (value) attributes[name] = { S: value };
  }
  return attributes;
}

function toRecord(sessionId: string, item: Record<string, AttributeValue>): SetupRecord {
  const text = (name: string) => item[name]?.S;
  const record: SetupRecord = {
    sessionId,
    status: (text('status') ?? 'processing') as SetupRecordStatus,
    updatedAt: text('updatedAt') ?? '',
  };
  for (const name of [...OUTCOME_DETAILS, 'eventId'] as const) {
    const value = text(name);
    if (value) record[name] = value;
  }
  return record;
}
