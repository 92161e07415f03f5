import type { StandInStore } from './store';

/**
 * Stripe serialises writes to an object and the objects tied to it: a write that finds the customer locked
 * by another in-flight write (to the customer itself, or to one of its subscriptions or payment methods)
 * fails with 429 `lock_timeout` and `Stripe-Should-Retry: true`
 * (https://docs.stripe.com/error-codes/lock-timeout, https://docs.stripe.com/rate-limits#object-lock-timeouts).
 * The stand-in takes the lock for the whole time it serves a write, latency included, and does not wait
 * for a held one: with no added latency no two writes overlap, and nothing changes.
 */
export class ObjectLocks {
  private readonly held = new Set<string>();

  /** The lock a write takes, or undefined for requests that lock nothing here (reads, creates). */
  lockKeyOf(method: string, path: string, store: StandInStore): string | undefined {
    if (method !== 'POST' && method !== 'DELETE') return undefined;
    const [, , resource, id] = path.split('/');
    if (id === undefined) return undefined;
    if (resource === 'customers') return `customer:${id}`;
    if (resource === 'subscriptions') {
      const customer = store.subscriptions.get(id)?.customer;
      return customer === undefined ? `subscription:${id}` : `customer:${customer}`;
    }
    if (resource === 'payment_methods') {
      const customer = store.paymentMethods.get(id)?.customer;
      return customer ? `customer:${customer}` : `payment_method:${id}`;
    }
    return undefined;
  }

  /** Takes the lock and returns its release, or undefined when another write holds it. */
  tryAcquire(key: string): (() => void) | undefined {
    if (this.held.has(key)) return undefined;
    this.held.add(key);
    return () => {
      this.held.delete(key);
    };
  }
}
