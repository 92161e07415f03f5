import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type {
  ClaimRecordStatus,
  ClaimResult,
  DefaultOwner,
  DefaultTarget,
  EventClaimRecord,
  HandledOutcome,
  SetupOutcome,
  SetupRecords,
  StepResult,
} from '../ports';

export interface DynamoDbSetupRecordsOptions {
  tableName: string;
  claimSeconds: number;
  /** Idempotency and ordering records expire after this, well beyond Stripe's 3 days of retries. */
  recordRetentionDays: number;
  now?: () => number;
  /**
   * The key prefix of the work items: `setup_intent` (setups, the default) or `default_change` (switches and
   * removals asked for through the API, which share the claim/finish protocol and the default owners).
   */
  itemPrefix?: 'setup_intent' | 'default_change' | 'stripe_event';
}

/** Attribute names the table's key, TTL setting and infrastructure rely on. */
export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** The TTL attribute's value for a record written at `nowMs`: epoch seconds, as DynamoDB's TTL reads it. */
export function recordExpiry(nowMs: number, recordRetentionDays: number): AttributeValue {
  return { N: String(Math.floor(nowMs / 1000) + recordRetentionDays * 86_400) };
}

const OWNER_SET_WITHOUT_METHOD =
  'SET setupOrder = :order, setupIntentId = :setupIntentId, updatedAt = :updatedAt';
const OWNER_SET = `${OWNER_SET_WITHOUT_METHOD}, paymentMethodId = :paymentMethodId`;
const ownerKey = (target: DefaultTarget) => ({
  [TABLE_PARTITION_KEY]: { S: `${target.kind}_default#${target.id}` },
});

/**
 * When the worker last changed this default (milliseconds; 0 if it never did): its owner record's `updatedAt`.
 * A card saved through Checkout becomes the default this way, with no request of the customer's to mark it.
 */
export function readDefaultChangedAt(client: DynamoDBClient, tableName: string) {
  return async (target: DefaultTarget): Promise<number> => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: ownerKey(target), ConsistentRead: true }),
    );
    const at = Date.parse(Item?.updatedAt?.S ?? '');
    return Number.isFinite(at) ? at : 0;
  };
}

/** Outcome details that a later outcome must replace, never leave behind. */
const OUTCOME_DETAILS = [
  'customerId',
  'subscriptionId',
  'paymentMethodId',
  'paymentMethodType',
  'paymentMethodBrand',
  'paymentMethodLast4',
  'setupIntentStatus',
  'customerDefault',
  'subscriptionDefault',
  'failureCode',
  'declineCode',
  'failureMessage',
  'reaction',
] as const;

/**
 * One item per SetupIntent, whose status is the guard against double effects: a worker must win a
 * conditional write (the claim) before calling Stripe, and may record an outcome only while its claim
 * holds. One item per customer and per subscription records which setup last became its default; those
 * never expire.
 *
 * Every conditional write carries its writer's token and also accepts the item as that writer left it:
 * the SDK retries a write whose answer was lost (a 500 after DynamoDB applied it, a dropped connection),
 * and that retry must count as the success it is, not as somebody else's claim, marker or outcome.
 * (DynamoDB's error-handling guide: a retried conditional write may meet its own earlier effect.)
 */
/**
 * Setup and change records: finished only with a setup's outcome, so never `handled` (which a Stripe event's
 * claim record alone takes, createDynamoDbEventClaims).
 */
export function createDynamoDbSetupRecords(
  client: DynamoDBClient,
  options: DynamoDbSetupRecordsOptions,
): SetupRecords {
  return createDynamoDbEventClaims(client, options) as SetupRecords;
}

/** Claim records of any kind of work, under `options.itemPrefix`; a recovery event's end `handled`. */
export function createDynamoDbEventClaims(
  client: DynamoDBClient,
  options: DynamoDbSetupRecordsOptions,
): SetupRecords<EventClaimRecord> {
  const now = options.now ?? Date.now;
  const { tableName } = options;
  const itemPrefix = options.itemPrefix ?? 'setup_intent';
  const setupKey = (setupIntentId: string) => ({
    [TABLE_PARTITION_KEY]: { S: `${itemPrefix}#${setupIntentId}` },
  });
  const expiresAt = (): AttributeValue => recordExpiry(now(), options.recordRetentionDays);
  /** A conditional write: true if it happened, false if its condition did not hold. */
  const writeIf = async (
    command: UpdateItemCommand,
    onWritten?: (output: UpdateItemCommandOutput) => void,
  ): Promise<boolean> => {
    try {
      const output = await client.send(command);
      onWritten?.(output);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /**
   * Expiring the claim (rather than deleting the item) keeps what an earlier attempt recorded; a claim
   * that is no longer ours needs no release.
   */
  async function releaseClaim(setupIntentId: string, token: string): Promise<void> {
    await writeIf(
      new UpdateItemCommand({
        TableName: tableName,
        Key: setupKey(setupIntentId),
        UpdateExpression: 'SET claimExpiresAt = :zero',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':token': { S: token } },
      }),
    );
  }

  /**
   * For a claim holder's write the SDK gave up on. One of its attempts may still have been applied with the
   * answer lost — a claim nobody knows they hold — or the claim is simply left behind by a failed outcome;
   * either way every redelivery would be turned away as busy until the claim lapses. Released (only if this
   * token still holds it, so nobody else's claim is touched) before the error is reported; if the release
   * fails too, the claim lapses as a dead worker's would.
   */
  const releaseClaimAndRethrow =
    (setupIntentId: string, token: string) =>
    async (error: unknown): Promise<never> => {
      await releaseClaim(setupIntentId, token).catch(() => undefined);
      throw error;
    };

  async function get(setupIntentId: string): Promise<EventClaimRecord | undefined> {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: setupKey(setupIntentId), ConsistentRead: true }),
    );
    return Item ? toRecord(setupIntentId, Item) : undefined;
  }

  return {
    get,

    async claim(setupIntentId, eventId, sessionId): Promise<ClaimResult<EventClaimRecord>> {
      const token = randomUUID();
      let before: Record<string, AttributeValue> | undefined;
      const claimed = await writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: setupKey(setupIntentId),
          UpdateExpression: `SET #status = :processing, claimToken = :token, claimExpiresAt = :claimUntil, eventId = :eventId, updatedAt = :updatedAt, #ttl = :ttl${sessionId ? ', sessionId = :sessionId' : ''}`,
          // Claimable: new, queued by the status path, pending (a later event may finish it), a claim whose
          // worker died (expired), or a failed attempt the customer can still follow with another method —
          // or already this very claim (the SDK's retry of a write whose answer was lost).
          ConditionExpression:
            'attribute_not_exists(#pk) OR #status IN (:queued, :pending) OR (#status = :processing AND claimExpiresAt < :now) OR (#status = :failed AND setupIntentStatus = :retryable) OR claimToken = :token',
          ReturnValues: 'ALL_OLD',
          ExpressionAttributeNames: {
            '#pk': TABLE_PARTITION_KEY,
            '#status': 'status',
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':processing': { S: 'processing' },
            ':pending': { S: 'pending' },
            ':queued': { S: 'queued' },
            ':failed': { S: 'failed' },
            ':retryable': { S: 'requires_payment_method' },
            ':token': { S: token },
            ':claimUntil': { N: String(now() + options.claimSeconds * 1000) },
            ':now': { N: String(now()) },
            ':eventId': { S: eventId },
            ':updatedAt': { S: new Date(now()).toISOString() },
            ':ttl': expiresAt(),
            ...(sessionId ? { ':sessionId': { S: sessionId } } : {}),
          },
        }),
        (output) => {
          before = output.Attributes;
        },
      ).catch(releaseClaimAndRethrow(setupIntentId, token));
      // Taken over from an earlier claim (released, expired, or this claim's own lost answer): that attempt
      // may have reached Stripe without recording its checkpoint, so this one must look before it writes.
      if (claimed) return { outcome: 'claimed', token, retry: before?.status?.S === 'processing' };
      const record = await get(setupIntentId);
      if (record && ['applied', 'superseded', 'handled', 'failed'].includes(record.status))
        return { outcome: 'finished', record };
      return { outcome: 'busy' };
    },

    release: releaseClaim,

    async finish(setupIntentId, token, outcome) {
      const values = outcomeAttributes(outcome);
      const names = Object.keys(values);
      const stale = [...OUTCOME_DETAILS, 'subscriptionsMoved', 'subscriptionsSkipped'].filter(
        (name) => !(name in values),
      );
      return writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: setupKey(setupIntentId),
          // finishedBy keeps the claim's token on the outcome, so a retried finish meets its own write.
          UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}, finishedBy = :token, updatedAt = :updatedAt, #ttl = :ttl REMOVE ${['claimToken', 'claimExpiresAt', ...stale].join(', ')}`,
          ConditionExpression: 'claimToken = :token OR finishedBy = :token',
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name) => [`:${name}`, values[name] as AttributeValue])),
            ':token': { S: token },
            ':updatedAt': { S: new Date(now()).toISOString() },
            ':ttl': expiresAt(),
          },
        }),
      ).catch(releaseClaimAndRethrow(setupIntentId, token));
    },

    async markQueued(setupIntentId, sessionId, staleAfterSeconds) {
      const token = randomUUID();
      return writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: setupKey(setupIntentId),
          UpdateExpression:
            'SET #status = :queued, queuedAt = :now, queuedBy = :token, sessionId = :sessionId, updatedAt = :updatedAt, #ttl = :ttl',
          // Also over a record the SetupIntent has since moved on from (the caller checked with Stripe): a
          // pending delayed method that succeeded, or a failed attempt followed by a good one. And over this
          // very marker: the SDK's retry of a write whose answer was lost.
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :queued AND (queuedAt < :staleBefore OR queuedBy = :token)) OR #status = :pending OR (#status = :failed AND setupIntentStatus = :retryable)',
          ExpressionAttributeNames: {
            '#pk': TABLE_PARTITION_KEY,
            '#status': 'status',
            '#ttl': TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':queued': { S: 'queued' },
            ':pending': { S: 'pending' },
            ':failed': { S: 'failed' },
            ':retryable': { S: 'requires_payment_method' },
            ':now': { N: String(now()) },
            ':staleBefore': { N: String(now() - staleAfterSeconds * 1000) },
            ':token': { S: token },
            ':sessionId': { S: sessionId },
            ':updatedAt': { S: new Date(now()).toISOString() },
            ':ttl': expiresAt(),
          },
        }),
      );
    },

    async defaultOwners(targets) {
      const owners = new Map<string, DefaultOwner>();
      if (targets.length === 0) return owners;
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: targets.map(ownerKey), ConsistentRead: true } },
        }),
      );
      // Keys DynamoDB did not get to (throttling) must not read as "nobody owns this default".
      if ((UnprocessedKeys?.[tableName]?.Keys?.length ?? 0) > 0) {
        throw new Error('DynamoDB left default-owner keys unprocessed; the setup will be retried');
      }
      for (const item of Responses?.[tableName] ?? []) {
        const key = item[TABLE_PARTITION_KEY]?.S;
        const setupOrder = item.setupOrder?.S;
        const setupIntentId = item.setupIntentId?.S;
        const paymentMethodId = item.paymentMethodId?.S;
        const replacedPaymentMethodId = item.replacedPaymentMethodId?.S;
        // A deleted customer's owner names no method (deletedCustomerOwner).
        if (key && setupOrder && setupIntentId && (paymentMethodId || setupOrder.startsWith('~'))) {
          owners.set(key.replace('_default#', ':'), {
            setupOrder,
            setupIntentId,
            paymentMethodId: paymentMethodId ?? '',
            ...(replacedPaymentMethodId ? { replacedPaymentMethodId } : {}),
          });
        }
      }
      return owners;
    },

    async recordDefaultOwner(target, owner) {
      // The setup's order (creation time and SetupIntent id) is this write's token: `<=` lets a retried
      // write, or a redelivered setup, meet its own record and count it as done.
      return writeIf(
        new UpdateItemCommand({
          TableName: tableName,
          Key: ownerKey(target),
          // No expiry, and any left by an older version is removed: an owner record must outlive every
          // setup record it is compared against, or an old setup would find nobody to lose to. One small
          // item per customer and per subscription. The customer's also keeps the method it replaced, for
          // a redelivery to find what its unnamed subscriptions were on (subscription-defaults.ts).
          UpdateExpression: !owner.paymentMethodId
            ? `${OWNER_SET_WITHOUT_METHOD} REMOVE #ttl, replacedPaymentMethodId, paymentMethodId`
            : owner.replacedPaymentMethodId
              ? `${OWNER_SET}, replacedPaymentMethodId = :replaced REMOVE #ttl`
              : `${OWNER_SET} REMOVE #ttl, replacedPaymentMethodId`,
          ConditionExpression: 'attribute_not_exists(setupOrder) OR setupOrder <= :order',
          ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ...(owner.replacedPaymentMethodId ? { ':replaced': { S: owner.replacedPaymentMethodId } } : {}),
            ':order': { S: owner.setupOrder },
            ':setupIntentId': { S: owner.setupIntentId },
            ...(owner.paymentMethodId ? { ':paymentMethodId': { S: owner.paymentMethodId } } : {}),
            ':updatedAt': { S: new Date(now()).toISOString() },
          },
        }),
      );
    },
  };
}

function outcomeAttributes(outcome: SetupOutcome | HandledOutcome): Record<string, AttributeValue> {
  const details: Partial<Record<(typeof OUTCOME_DETAILS)[number], string | undefined>> = { ...outcome };
  const attributes: Record<string, AttributeValue> = { status: { S: outcome.status } };
  for (const name of OUTCOME_DETAILS) {
    const value = details[name];
    if (value) attributes[name] = { S: value };
  }
  // A string set: DynamoDB refuses an empty one, so "none moved" is the attribute's absence.
  const moved = 'subscriptionsMoved' in outcome ? outcome.subscriptionsMoved : undefined;
  if (moved && moved.length > 0) attributes.subscriptionsMoved = { SS: moved };
  const skipped = 'subscriptionsSkipped' in outcome ? outcome.subscriptionsSkipped : undefined;
  if (skipped && skipped.length > 0) {
    attributes.subscriptionsSkipped = {
      L: skipped.map(({ id, reason }) => ({ M: { id: { S: id }, reason: { S: reason } } })),
    };
  }
  return attributes;
}

function toRecord(setupIntentId: string, item: Record<string, AttributeValue>): EventClaimRecord {
  const text = (name: string) => item[name]?.S;
  const record: EventClaimRecord = {
    setupIntentId,
    status: (text('status') ?? 'processing') as ClaimRecordStatus,
    updatedAt: text('updatedAt') ?? '',
  };
  for (const name of [
    'customerId',
    'subscriptionId',
    'paymentMethodId',
    'paymentMethodType',
    'paymentMethodBrand',
    'paymentMethodLast4',
    'setupIntentStatus',
    'failureCode',
    'declineCode',
  ] as const) {
    const value = text(name);
    if (value) record[name] = value;
  }
  for (const name of ['failureMessage', 'eventId', 'sessionId', 'reaction'] as const) {
    const value = text(name);
    if (value) record[name] = value;
  }
  for (const name of ['customerDefault', 'subscriptionDefault'] as const) {
    const value = text(name);
    if (value) record[name] = value as StepResult;
  }
  if (item.queuedAt?.N) record.queuedAt = Number(item.queuedAt.N);
  if (item.subscriptionsMoved?.SS) record.subscriptionsMoved = [...item.subscriptionsMoved.SS].sort();
  const skipped = item.subscriptionsSkipped?.L?.flatMap((entry) =>
    entry.M?.id?.S && entry.M.reason?.S ? [{ id: entry.M.id.S, reason: entry.M.reason.S }] : [],
  );
  if (skipped && skipped.length > 0) record.subscriptionsSkipped = skipped;
  const removing = text('removing');
  if (removing) record.removing = removing;
  return record;
}
