import { StripeRequestFailed } from '../errors';
import type { Logger } from '../logger';
import {
  CHARGEABLE_SUBSCRIPTION_STATUSES,
  type CustomerSubscriptions,
  type DefaultOwner,
  type DefaultTarget,
  defaultOwnerKey,
  type SetupRecords,
  type SkippedSubscription,
  type StepResult,
  type StripeGateway,
  type SubscriptionDefault,
} from '../ports';
import { methodMismatch } from './method-fit';

/**
 * `follow` (the default): when the customer's default changes and no subscription is named, each chargeable
 * subscription whose own default was the replaced method takes the new one. A subscription's own
 * `default_payment_method` takes precedence over the customer's (Subscriptions.d.ts), so without this the
 * old card keeps being charged there. `named-only`: only a named subscription changes (the old behaviour).
 */
export type SubscriptionDefaultsMode = 'follow' | 'named-only';

/** What the plan asks of the subscriptions beyond a named one. */
export interface FollowPlan {
  paymentMethodId: string;
  /** The method's type, when known: a subscription it cannot pay is not moved (method-fit.ts). */
  paymentMethodType?: string;
  subscriptionId?: string;
  /** A switch's `subscription: "all"`: every chargeable subscription takes the method. */
  allSubscriptions?: boolean;
  /** A removal: subscriptions on this method move to the new one (whatever their status), then it goes. */
  removing?: string;
  /**
   * A removal of a method that is not the customer's invoice default: the customer's default stays as it is
   * (recorded `superseded`, "kept"), and only the subscriptions on the removed method move.
   */
  keepCustomerDefault?: boolean;
}

/** Pure: which listed subscriptions move to the plan's method. */
export function followersOf(
  plan: FollowPlan,
  listing: CustomerSubscriptions,
  replaced: string | undefined,
  mode: SubscriptionDefaultsMode,
): SubscriptionDefault[] {
  return listing.subscriptions.filter((subscription) => {
    const own = subscription.defaultPaymentMethodId;
    if (subscription.id === plan.subscriptionId || own === plan.paymentMethodId) return false;
    // A removal moves what the removed method paid, and nothing else: a subscription on another method,
    // the customer's previous default included, was put there on purpose.
    if (plan.removing !== undefined) return own === plan.removing;
    if (!CHARGEABLE_SUBSCRIPTION_STATUSES.includes(subscription.status)) return false;
    if (plan.allSubscriptions) return true;
    // A subscription on some other method was put there on purpose: it is left alone.
    return (
      mode === 'follow' && plan.subscriptionId === undefined && replaced !== undefined && own === replaced
    );
  });
}

/**
 * Pure: the candidates the plan's method can pay, and the others with why. A subscription in another currency
 * than the method clears, or whose `payment_settings.payment_method_types` leave its type out, would take the
 * default and then fail at its next invoice: it is left as it is and reported.
 */
export function splitByFit(
  plan: FollowPlan,
  candidates: readonly SubscriptionDefault[],
): { fit: SubscriptionDefault[]; skipped: SkippedSubscription[] } {
  const fit: SubscriptionDefault[] = [];
  const skipped: SkippedSubscription[] = [];
  for (const subscription of candidates) {
    const reason =
      subscription.currency === undefined
        ? undefined
        : methodMismatch(plan.paymentMethodType, {
            currency: subscription.currency,
            paymentMethodTypes: subscription.paymentMethodTypes ?? null,
          });
    if (reason) skipped.push({ id: subscription.id, reason });
    else fit.push(subscription);
  }
  return { fit, skipped };
}

/** Pure: the method to detach once the moves are done, if nothing still uses it. */
export function methodToDetach(
  plan: FollowPlan,
  listing: CustomerSubscriptions,
  replaced: string | undefined,
  detachReplaced: boolean,
  movedOrNamed: readonly string[],
): { detach: string } | { inUseBy: string[] } | undefined {
  const target = plan.removing ?? (detachReplaced ? replaced : undefined);
  if (target === undefined || target === plan.paymentMethodId) return undefined;
  const inUseBy = listing.subscriptions
    .filter((s) => !movedOrNamed.includes(s.id))
    .filter(
      (s) => s.defaultPaymentMethodId === target || (s.scheduledPaymentMethodIds ?? []).includes(target),
    )
    .map((s) => s.id);
  return inUseBy.length > 0 ? { inUseBy } : { detach: target };
}

export interface MoveDeps {
  records: SetupRecords;
  log: Logger;
}

export interface FollowDeps extends MoveDeps {
  stripe: StripeGateway;
  subscriptionDefaults?: SubscriptionDefaultsMode;
  detachReplaced?: boolean;
  /** The past-due option: the listing tells which subscriptions now charging the method owe invoices. */
  payOpenInvoices?: boolean;
}

/** The customer's subscriptions as they were before its default changed, and the method being replaced. */
export interface FollowContext {
  listing: CustomerSubscriptions | undefined;
  replaced: string | undefined;
  /** The subscriptions to move, and the owner records of those and of the ones already on the new method. */
  followers: SubscriptionDefault[];
  /** Candidates the method cannot pay: reported, never moved. */
  skipped: SkippedSubscription[];
  followerOwners: Promise<Map<string, DefaultOwner>> | undefined;
}

/**
 * Listed only when something may follow or go: the plan moves every subscription or removes a method, the
 * replaced method may be detached, or (`follow`) the setup or switch names no subscription.
 */
export function needsListing(deps: FollowDeps, plan: FollowPlan): boolean {
  const mode = deps.subscriptionDefaults ?? 'follow';
  return Boolean(
    plan.allSubscriptions ||
      plan.removing ||
      deps.detachReplaced ||
      deps.payOpenInvoices ||
      (mode === 'follow' && !plan.subscriptionId),
  );
}

/**
 * Read before the customer's default changes. `early` is a listing already on its way (a switch starts it
 * beside the owner records). The followers' owner records are read while the customer update is in flight:
 * work is serialised per customer, so only this flow writes them in between, through conditional writes.
 */
export async function readFollowContext(
  deps: FollowDeps,
  plan: FollowPlan & { customerId: string },
  customerOwner: DefaultOwner | undefined,
  customerStep: StepResult | 'todo' | undefined,
  early?: Promise<CustomerSubscriptions>,
): Promise<FollowContext> {
  const listing =
    customerStep !== 'superseded' && needsListing(deps, plan)
      ? await (early ?? deps.stripe.listSubscriptionDefaults(plan.customerId))
      : undefined;
  // On a retry Stripe may already hold the new method (the earlier attempt updated it, then failed to
  // record the owner): the replaced one is then the previous owner's.
  // Without an invoice default, the customer's legacy `default_source` was what its invoices were charged
  // to (Subscriptions.d.ts charge order): a subscription set to that method follows like any other.
  const customerNow =
    listing?.customerDefault === null ? (listing.customerDefaultSource ?? null) : listing?.customerDefault;
  const fromStripe = customerNow === plan.paymentMethodId ? undefined : customerNow;
  const replacedNow =
    customerStep === 'todo'
      ? (fromStripe ?? customerOwner?.paymentMethodId)
      : customerOwner?.replacedPaymentMethodId;
  const replaced = replacedNow === plan.paymentMethodId ? undefined : (replacedNow ?? undefined);
  const { fit: followers, skipped } = splitByFit(
    plan,
    listing ? followersOf(plan, listing, replaced, deps.subscriptionDefaults ?? 'follow') : [],
  );
  const targets = [...followers, ...onMethod(listing, plan.paymentMethodId)].map((s) => ({
    kind: 'subscription' as const,
    id: s.id,
  }));
  const followerOwners = targets.length > 0 ? ownersInChunks(deps.records, targets) : undefined;
  // Awaited where it is needed; this only keeps a failure from going unhandled if nothing is.
  followerOwners?.catch(() => undefined);
  return { listing, replaced, followers, skipped, followerOwners };
}

function onMethod(listing: CustomerSubscriptions | undefined, paymentMethodId: string) {
  return listing?.subscriptions.filter((s) => s.defaultPaymentMethodId === paymentMethodId) ?? [];
}

export type FollowResult =
  | {
      subscriptionsMoved?: string[];
      subscriptionsSkipped?: SkippedSubscription[];
      detachedPaymentMethodId?: string;
    }
  | { inUseBy: string[]; subscriptionsSkipped?: SkippedSubscription[] };

/** After the customer's default changed: unnamed subscriptions follow, then the replaced method may go. */
export async function followAndDetach(
  deps: FollowDeps,
  plan: FollowPlan & { customerId: string },
  follow: FollowContext,
  owner: DefaultOwner,
  namedResult: StepResult | undefined,
  setDefault: (target: DefaultTarget, owner: DefaultOwner) => Promise<StepResult>,
): Promise<FollowResult> {
  const { listing, replaced } = follow;
  if (!listing) return {};
  const { moved, refused } = await moveFollowers(deps, follow, owner, setDefault);
  const skipped = [...follow.skipped, ...refused].sort((a, b) => a.id.localeCompare(b.id));
  const reported = skipped.length > 0 ? { subscriptionsSkipped: skipped } : {};
  const named = plan.subscriptionId && namedResult !== 'superseded' ? [plan.subscriptionId] : [];
  const rescheduled = await rescheduleRemoved(deps, plan, listing, [...moved, ...named]);
  const detach = methodToDetach(plan, listing, replaced, deps.detachReplaced ?? false, [
    ...moved,
    ...named,
    ...rescheduled,
  ]);
  if (detach && 'inUseBy' in detach && plan.removing) return { ...detach, ...reported };
  const detached =
    detach && 'detach' in detach
      ? (await deps.stripe.detachPaymentMethod(plan.customerId, detach.detach)) === 'detached'
      : false;
  return {
    ...(moved.length > 0 ? { subscriptionsMoved: moved } : {}),
    ...reported,
    ...(detached && detach && 'detach' in detach ? { detachedPaymentMethodId: detach.detach } : {}),
  };
}

/**
 * A removal with a replacement: a subscription whose schedule names the removed method in a phase to come
 * (SubscriptionSchedules.d.ts `Phase.default_payment_method`) would take it back when that phase starts, so the
 * schedule names the replacement there instead. The subscription's own default, on another method, stays.
 */
async function rescheduleRemoved(
  deps: FollowDeps,
  plan: FollowPlan,
  listing: CustomerSubscriptions,
  done: readonly string[],
): Promise<string[]> {
  const removing = plan.removing;
  if (removing === undefined) return [];
  const named = listing.subscriptions.filter(
    (s) => !done.includes(s.id) && (s.scheduledPaymentMethodIds ?? []).includes(removing),
  );
  for (const subscription of named) {
    await deps.stripe.replaceScheduledPaymentMethod(subscription.id, plan.paymentMethodId, removing);
  }
  return named.map((s) => s.id);
}

/**
 * Moves the followers, each through the same newest-wins owner record as a named subscription, and reports
 * which subscriptions now follow this owner — those moved now and, on a redelivery, those it moved before.
 * A follower Stripe refuses for good (canceled since it was listed, or a method it cannot take) is left as
 * it is and reported with Stripe's code, never dropped silently.
 */
async function moveFollowers(
  deps: MoveDeps,
  { listing, replaced, followers, followerOwners }: FollowContext,
  owner: DefaultOwner,
  setDefault: (target: DefaultTarget, owner: DefaultOwner) => Promise<StepResult>,
): Promise<{ moved: string[]; refused: SkippedSubscription[] }> {
  const owners = (await followerOwners) ?? new Map<string, DefaultOwner>();
  const recordOf = (id: string) => owners.get(defaultOwnerKey({ kind: 'subscription', id }));
  const orderOf = (id: string) => recordOf(id)?.setupOrder;
  const onNewMethod = onMethod(listing, owner.paymentMethodId);
  const moved = onNewMethod.filter((s) => orderOf(s.id) === owner.setupOrder).map((s) => s.id);
  // Already on the new method while its record still says the replaced one: an earlier attempt moved it and
  // lost the record's write. Moved again (setDefault finds it set and writes only the record), so no setup
  // older than this change can take it back on the strength of the stale record.
  const unrecorded = onNewMethod.filter((s) => {
    const record = recordOf(s.id);
    return (
      record !== undefined &&
      record.setupOrder < owner.setupOrder &&
      replaced !== undefined &&
      record.paymentMethodId === replaced
    );
  });
  const refused: SkippedSubscription[] = [];
  for (const follower of [...followers, ...unrecorded]) {
    const order = orderOf(follower.id);
    if (order !== undefined && order > owner.setupOrder) continue;
    try {
      const result = await setDefault({ kind: 'subscription', id: follower.id }, owner);
      if (result !== 'superseded') moved.push(follower.id);
    } catch (error) {
      if (!(error instanceof StripeRequestFailed) || error.retryable) throw error;
      const reason = error.stripeCode ?? error.kind;
      deps.log.warn('subscription left as it is: Stripe refused its update', {
        subscriptionId: follower.id,
        failureCode: reason,
      });
      refused.push({ id: follower.id, reason });
    }
  }
  return { moved: moved.sort(), refused };
}

/** BatchGetItem reads at most 100 keys at a time. */
async function ownersInChunks(records: SetupRecords, targets: DefaultTarget[]) {
  const owners = new Map<string, DefaultOwner>();
  for (let start = 0; start < targets.length; start += 100) {
    for (const [key, value] of await records.defaultOwners(targets.slice(start, start + 100))) {
      owners.set(key, value);
    }
  }
  return owners;
}
