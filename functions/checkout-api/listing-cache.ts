import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE } from '../shared/adapters/dynamodb-setup-records';
import type { PaymentMethodsView } from '../shared/flow/list-payment-methods';

/** When each customer last asked for a change: the listing cache's invalidation marker, in the table. */
export interface ListingMarkers {
  /** Milliseconds; 0 when the customer never asked for a change (or the marker expired). */
  changedAt(customerId: string): Promise<number>;
  markChanged(customerId: string): Promise<void>;
}

/** How long after a change its marker is kept: past every settle window a cache could still be in. */
const MARKER_HOURS = 1;

export function createDynamoDbListingMarkers(
  client: DynamoDBClient,
  options: { tableName: string; now?: () => number },
): ListingMarkers {
  const now = options.now ?? Date.now;
  const Key = (customerId: string) => ({ [TABLE_PARTITION_KEY]: { S: `listing#${customerId}` } });
  return {
    async changedAt(customerId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: options.tableName, Key: Key(customerId), ConsistentRead: true }),
      );
      return Number(Item?.changedAt?.N ?? 0);
    },
    async markChanged(customerId) {
      const at = now();
      await client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: Key(customerId),
          UpdateExpression: 'SET changedAt = :at, #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':at': { N: String(at) },
            ':ttl': { N: String(Math.ceil(at / 1000) + MARKER_HOURS * 3600) },
          },
        }),
      );
    },
  };
}

export interface ListingCacheOptions {
  ttlMs: number;
  /**
   * After a change is asked for, no listing fetched within this long is served from the cache: the worker
   * applies the change a moment later, and the page that asked reloads the list to see it.
   */
  settleMs: number;
  maxEntries?: number;
  now?: () => number;
}

export type PageRequest = { limit: number; startingAfter?: string };
type ListPage = (customerId: string, page: PageRequest) => Promise<PaymentMethodsView>;

/**
 * The billing page's listing costs several Stripe calls; a caller reloading it in a loop is answered from
 * this function instance's memory for `ttlMs`, and charged (`onMiss`) only when Stripe is asked. A cached
 * answer is served only if it was fetched after the customer's last change had settled (the marker in the
 * table, which every instance sees), so a customer's own switch or removal is never hidden by the cache.
 */
export function cachedListing(list: ListPage, markers: ListingMarkers, options: ListingCacheOptions) {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 1000;
  const entries = new Map<string, { fetchedAt: number; view: PaymentMethodsView }>();
  return async (
    customerId: string,
    page: PageRequest,
    onMiss: () => Promise<void>,
  ): Promise<PaymentMethodsView> => {
    const key = JSON.stringify([customerId, page.limit, page.startingAfter ?? null]);
    const hit = options.ttlMs > 0 ? entries.get(key) : undefined;
    if (hit && now() - hit.fetchedAt < options.ttlMs) {
      const changedAt = await markers.changedAt(customerId);
      if (hit.fetchedAt >= changedAt + options.settleMs) return hit.view;
    }
    await onMiss();
    const fetchedAt = now();
    const view = await list(customerId, page);
    if (options.ttlMs > 0) {
      entries.delete(key);
      // A Map iterates in insertion order: the oldest entry goes first.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { fetchedAt, view });
    }
    return view;
  };
}
