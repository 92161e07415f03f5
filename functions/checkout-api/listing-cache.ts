import type { ChangeMarkers } from '../shared/adapters/dynamodb-change-markers';
import type { PaymentMethodsView } from '../shared/flow/list-payment-methods';

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
 * table, which every instance sees) and after the worker last changed the customer's default (its owner
 * record), so neither a customer's own switch or removal nor a card saved through Checkout is hidden.
 */
export function cachedListing(
  list: ListPage,
  markers: Pick<ChangeMarkers, 'latest'>,
  /** When the worker last changed the customer's default (a setup applied, or a change). */
  defaultChangedAt: (customerId: string) => Promise<number>,
  options: ListingCacheOptions,
) {
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
      const [asked, applied] = await Promise.all([markers.latest(customerId), defaultChangedAt(customerId)]);
      // A change asked for settles later (the worker applies it); one the worker applied is final at once.
      const askedAt = (asked?.changedAt ?? 0) + options.settleMs;
      if (hit.fetchedAt >= askedAt && hit.fetchedAt > applied) return hit.view;
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
