import { invalidRequest } from '../errors';
import type { FormObject, FormValue } from '../form-encoding';
import { optionalString } from '../params';
import type { StoredSubscription } from '../types';

/**
 * What each status lets an update change (Subscription.status in Subscriptions.d.ts): "A subscription in this
 * status [incomplete] can only have metadata and default_source updated"; `incomplete_expired` is terminal; a
 * canceled subscription keeps only its metadata and cancellation details changeable.
 */
const UPDATABLE_BY_STATUS: Partial<Record<StoredSubscription['status'], readonly string[]>> = {
  incomplete: ['metadata', 'default_source'],
  incomplete_expired: ['metadata'],
  canceled: ['metadata', 'cancellation_details'],
};

export function refuseUpdateForStatus(subscription: StoredSubscription, params: FormObject): void {
  const allowed = UPDATABLE_BY_STATUS[subscription.status];
  if (allowed === undefined) return;
  const refused = Object.keys(params).filter((key) => key !== 'expand' && !allowed.includes(key));
  if (refused.length === 0) return;
  if (subscription.status === 'canceled') {
    throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
  }
  throw invalidRequest(
    `A subscription with status \`${subscription.status}\` can only have ${allowed.join(' and ')} updated; this request also sets ${refused.join(', ')}.`,
    { param: refused[0] },
  );
}

/** `pause_collection` (https://docs.stripe.com/billing/subscriptions/pause-payment); '' resumes collection. */
export function applyPauseCollection(subscription: StoredSubscription, value: FormValue | undefined): void {
  if (value === undefined) return;
  if (value === '') {
    subscription.pause_collection = null;
    return;
  }
  const pause = typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  const behavior = pause === undefined ? undefined : optionalString(pause, 'behavior');
  if (behavior !== 'keep_as_draft' && behavior !== 'mark_uncollectible' && behavior !== 'void') {
    throw invalidRequest(
      'Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, or void',
      {
        param: 'pause_collection[behavior]',
      },
    );
  }
  const resumesAt = pause === undefined ? undefined : optionalString(pause, 'resumes_at');
  subscription.pause_collection = {
    behavior,
    resumes_at: resumesAt === undefined ? null : Number.parseInt(resumesAt, 10),
  };
}
