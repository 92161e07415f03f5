import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from '../shared/adapters/dynamodb-setup-records';
import { ServiceError } from '../shared/errors';

/** Each caller's share of the account's Stripe rate limit, charged per Stripe call before a route runs. */
export interface StripeCallBudget {
  /** Takes `calls` from the caller's bucket, or refuses with 429 and Retry-After. */
  spend(callerKey: string, calls: number): Promise<void>;
}

export interface StripeCallBudgetOptions {
  tableName: string;
  /** Calls a caller regains per second. */
  callsPerSecond: number;
  /** Calls an idle caller may spend at once (the bucket's size). */
  burst: number;
  now?: () => number;
}

/**
 * A token bucket per caller, kept in the table because Lambda instances share nothing else (a per-instance
 * bucket multiplies by the number of warm instances). Stripe limits requests per second per account
 * (https://docs.stripe.com/rate-limits: 25/s in test mode, 100/s live), shared with the worker and the
 * SaaS's own traffic, so the budget counts Stripe calls, not requests, and refills continuously: a fixed
 * window lets a caller spend two windows back to back.
 *
 * Stored as the bucket's "theoretical arrival time" (GCRA): `tat` is when the caller's bucket would be full
 * again; a spend of n calls moves it n / rate later, and is allowed while it stays within `burst / rate` of
 * now. One conditional write for an idle caller (tat in the past: restart from now), two for a busy one
 * (tat ahead: push it further, if there is room). DynamoDB's conditions make each step atomic.
 */
export function createDynamoDbStripeCallBudget(
  client: DynamoDBClient,
  options: StripeCallBudgetOptions,
): StripeCallBudget {
  const now = options.now ?? Date.now;
  const msPerCall = 1000 / options.callsPerSecond;
  const names = { '#tat': 'tat', '#ttl': TABLE_TTL_ATTRIBUTE };

  async function writeIf(command: UpdateItemCommand): Promise<boolean> {
    try {
      await client.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      // Fail closed: without the bucket the cap cannot be enforced, and DynamoDB trouble is brief.
      throw new ServiceError(503, 'rate_limit_unavailable', 'The service is busy; try again shortly.', {
        'retry-after': '1',
      });
    }
  }

  return {
    async spend(callerKey, calls) {
      if (calls <= 0) return;
      const Key = { [TABLE_PARTITION_KEY]: { S: `stripe-calls#${callerKey}` } };
      const cost = calls * msPerCall;
      // Twice at most: a bucket that drained between the two writes is tried from the top once more.
      for (let round = 0; round < 2; round++) {
        const at = now();
        // The item outlives the moment its bucket is full again, then TTL removes it.
        const ttl = { N: String(Math.ceil((at + options.burst * msPerCall) / 1000) + 60) };
        const idle = await writeIf(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key,
            UpdateExpression: 'SET #tat = :fresh, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':fresh': { N: String(at + cost) },
              ':now': { N: String(at) },
              ':ttl': ttl,
            },
          }),
        );
        if (idle) return;
        const roomLeft = await writeIf(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key,
            UpdateExpression: 'SET #tat = #tat + :cost, #ttl = :ttl',
            ConditionExpression: '#tat > :now AND #tat <= :latest',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':cost': { N: String(cost) },
              ':now': { N: String(at) },
              ':latest': { N: String(at + options.burst * msPerCall - cost) },
              ':ttl': ttl,
            },
          }),
        );
        if (roomLeft) return;
      }
      const retryAfter = Math.max(1, Math.ceil(cost / 1000));
      throw new ServiceError(
        429,
        'rate_limited',
        `Too many requests for this customer; try again in ${retryAfter} seconds.`,
        { 'retry-after': String(retryAfter) },
      );
    },
  };
}
