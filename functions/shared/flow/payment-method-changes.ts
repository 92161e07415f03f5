import { randomUUID } from 'node:crypto';
import type { ChangeMarkers } from '../adapters/dynamodb-change-markers';
import type { ChangeRequests } from '../adapters/dynamodb-default-changes';
import type { DefaultChangeQueue } from '../adapters/sqs-default-change-queue';
import { ServiceError, StripeRequestFailed } from '../errors';
import {
  CHARGEABLE_SUBSCRIPTION_STATUSES,
  type SavedPaymentMethod,
  type SetupRecord,
  type SetupRecords,
  type SkippedSubscription,
  type StripeGateway,
} from '../ports';
import type { DefaultChangeMessage } from './default-change-message';
import { describeMismatch, methodMismatch } from './method-fit';
import { describeUsers, inUse, readCustomerDefaults, usersOf } from './removal-check';

export interface PaymentMethodApiDeps {
  stripe: StripeGateway;
  /** The customer's latest change: checked against before a new one, rewritten with each new one. */
  changeMarkers: ChangeMarkers;
  changes: SetupRecords;
  changeRequests: ChangeRequests;
  changeQueue: DefaultChangeQueue;
  now?: () => number;
}

export interface AcceptedChange {
  id: string;
  status: 'queued';
  /** The change's status path; the route answers it as an absolute URL of the API. */
  statusUrl: string;
}

/** A method saved on the caller's customer, or 404 exactly like a missing one (ids cannot be probed). */
async function callersMethod(deps: PaymentMethodApiDeps, customerId: string, paymentMethodId: string) {
  return deps.stripe.retrieveCustomerPaymentMethod(customerId, paymentMethodId).catch((error: unknown) => {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found') {
      throw new ServiceError(
        404,
        'payment_method_not_found',
        `Payment method ${paymentMethodId} was not found.`,
      );
    }
    throw error;
  });
}

/** `POST /payment-methods/{id}/default`: checked now, applied by the worker in order with the setups. */
export async function requestMakeDefault(
  deps: PaymentMethodApiDeps,
  customerId: string,
  paymentMethodId: string,
  subscription?: string,
): Promise<AcceptedChange> {
  const [method, named] = await Promise.all([
    callersMethod(deps, customerId, paymentMethodId),
    subscription && subscription !== 'all'
      ? requireChargeableSubscription(deps, customerId, subscription)
      : null,
    refuseWhilePending(deps, customerId, [paymentMethodId]),
  ]);
  if (named) refuseUnfitMethod(method, [named]);
  return enqueueChange(deps, method, {
    action: 'make_default',
    customerId,
    paymentMethodId,
    paymentMethodType: method.type,
    ...(subscription ? { subscription } : {}),
  });
}

/**
 * `DELETE /payment-methods/{id}`: refused (409, naming what it pays) while the method is a default that
 * would be left empty, unless a replacement is named — which the worker makes the default first.
 */
export async function requestRemoval(
  deps: PaymentMethodApiDeps,
  customerId: string,
  paymentMethodId: string,
  replacement?: string,
): Promise<AcceptedChange> {
  if (replacement === paymentMethodId) {
    throw new ServiceError(400, 'invalid_request', 'replaceWith must be another payment method.');
  }
  const [method, replacing, defaults] = await Promise.all([
    callersMethod(deps, customerId, paymentMethodId),
    replacement ? callersMethod(deps, customerId, replacement) : null,
    readCustomerDefaults(deps.stripe, customerId),
    refuseWhilePending(deps, customerId, replacement ? [paymentMethodId, replacement] : [paymentMethodId]),
  ]);
  const users = usersOf(paymentMethodId, defaults);
  if (!replacement && defaults.listing.complete === false) {
    throw new ServiceError(
      409,
      'payment_method_in_use',
      `The customer has more subscriptions than one request checks; name a replacement (replaceWith) to remove ${paymentMethodId}.`,
    );
  }
  if (!replacement && inUse(users)) {
    throw new ServiceError(
      409,
      'payment_method_in_use',
      `Payment method ${paymentMethodId} is ${describeUsers(users)}; name a replacement (replaceWith) to remove it.`,
    );
  }
  // The subscriptions on the removed method move to the replacement: one it cannot pay would be left on a
  // detached method, so the removal is refused now rather than failing in the worker.
  if (replacing) {
    const onRemoved = defaults.listing.subscriptions.filter(
      (s) => s.defaultPaymentMethodId === paymentMethodId && users.subscriptions.includes(s.id),
    );
    refuseUnfitMethod(replacing, onRemoved);
  }
  return enqueueChange(deps, method, {
    action: 'remove',
    customerId,
    paymentMethodId: replacement ?? null,
    ...(replacing ? { paymentMethodType: replacing.type } : {}),
    removing: paymentMethodId,
  });
}

/**
 * 422 when the method cannot pay one of the subscriptions it is asked to become the default of: Stripe would
 * refuse its invoices' payment (method-fit.ts), so the switch is refused while the caller can still choose.
 */
function refuseUnfitMethod(
  method: SavedPaymentMethod,
  subscriptions: readonly { id: string; currency?: string; paymentMethodTypes?: string[] | null }[],
): void {
  for (const subscription of subscriptions) {
    if (subscription.currency === undefined) continue;
    const terms = {
      currency: subscription.currency,
      paymentMethodTypes: subscription.paymentMethodTypes ?? null,
    };
    const reason = methodMismatch(method.type, terms);
    if (!reason) continue;
    throw new ServiceError(
      422,
      'payment_method_not_accepted',
      `Payment method ${method.id} cannot pay subscription ${subscription.id}: ${describeMismatch(reason, method.type, terms)}.`,
    );
  }
}

async function requireChargeableSubscription(deps: PaymentMethodApiDeps, customerId: string, id: string) {
  const subscription = await deps.stripe.retrieveSubscription(id).catch((error: unknown) => {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found') return undefined;
    throw error;
  });
  if (!subscription || subscription.customerId !== customerId) {
    throw new ServiceError(
      403,
      'subscription_not_owned',
      'The subscription does not belong to the customer.',
    );
  }
  if (!CHARGEABLE_SUBSCRIPTION_STATUSES.includes(subscription.status)) {
    throw new ServiceError(
      409,
      'subscription_not_chargeable',
      `Subscription ${id} is ${subscription.status}; only a subscription that can still be charged takes a default.`,
    );
  }
  return subscription;
}

/** How long a change is looked for: far longer than the worker takes, short of any stuck-queue alarm. */
const PENDING_WINDOW_MS = 15 * 60_000;

/**
 * A change about a method that the customer's previous change, not applied yet, is also about, is refused
 * (409, naming it). Applied in order, the second would fail at the worker for a reason the customer made —
 * a switch to a method then its removal finds it in use, the reverse finds it detached — and count as a
 * permanent failure that any customer could raise at will.
 */
async function refuseWhilePending(deps: PaymentMethodApiDeps, customerId: string, methods: string[]) {
  const latest = await deps.changeMarkers.latest(customerId);
  const now = (deps.now ?? Date.now)();
  if (!latest || latest.changedAt < now - PENDING_WINDOW_MS) return;
  if (!latest.paymentMethods.some((id) => methods.includes(id))) return;
  const record = await deps.changes.get(latest.changeId);
  if (!record || !['queued', 'processing'].includes(record.status)) return;
  throw new ServiceError(
    409,
    'change_pending',
    `Change ${latest.changeId} about this payment method is still being applied; try again once its status is final.`,
  );
}

async function enqueueChange(
  deps: PaymentMethodApiDeps,
  method: SavedPaymentMethod,
  change: Pick<
    DefaultChangeMessage,
    'action' | 'customerId' | 'paymentMethodId' | 'paymentMethodType' | 'subscription' | 'removing'
  >,
): Promise<AcceptedChange> {
  const now = deps.now ?? Date.now;
  const changeId = `chg_${randomUUID().replaceAll('-', '')}`;
  const message: DefaultChangeMessage = {
    kind: 'default_change',
    changeId,
    ...change,
    requestedAt: now(),
    livemode: method.livemode,
  };
  // The record first: the status URL answers from the moment the 202 is sent, and the worker proves the
  // message against it (prove-default-change.ts).
  await deps.changeRequests.recordRequested(message, change.paymentMethodId ?? change.removing ?? method.id);
  // Before the enqueue, so the worker cannot apply the change ahead of the marker the listing cache reads.
  await deps.changeMarkers.record(change.customerId, {
    changeId,
    paymentMethods: [change.paymentMethodId, change.removing].filter((id): id is string => Boolean(id)),
  });
  await deps.changeQueue.enqueue(message);
  return { id: changeId, status: 'queued', statusUrl: `/payment-methods/changes/${changeId}` };
}

export interface ChangeStatus {
  id: string;
  action: 'make_default' | 'remove';
  status: SetupRecord['status'];
  /** Always the method the change is about: the one made the default, or the one removed. */
  paymentMethod: string | null;
  /** A removal with `replaceWith`: the method made the default in the removed one's place. */
  replacement: string | null;
  subscription: string | null;
  /** Applied: subscriptions not named that now use the method too. */
  subscriptionsMoved: string[];
  /** Applied: subscriptions that would have moved but were left as they are, with why. */
  subscriptionsSkipped: SkippedSubscription[];
  failureCode?: string;
  failureMessage?: string;
  updatedAt: string;
}

/** `GET /payment-methods/changes/{id}`: another customer's change answers 404, like a missing one. */
export async function getChangeStatus(
  deps: Pick<PaymentMethodApiDeps, 'changes'>,
  customerId: string | null,
  changeId: string,
): Promise<ChangeStatus> {
  const record = await deps.changes.get(changeId);
  if (!record || (customerId !== null && record.customerId !== customerId)) {
    throw new ServiceError(404, 'change_not_found', `Change ${changeId} was not found.`);
  }
  const removing = record.removing;
  return {
    id: changeId,
    action: removing ? 'remove' : 'make_default',
    status: record.status,
    paymentMethod: removing ?? record.paymentMethodId ?? null,
    replacement: removing && record.paymentMethodId !== removing ? (record.paymentMethodId ?? null) : null,
    subscription: record.subscriptionId ?? null,
    subscriptionsMoved: record.status === 'applied' ? (record.subscriptionsMoved ?? []) : [],
    subscriptionsSkipped: record.status === 'applied' ? (record.subscriptionsSkipped ?? []) : [],
    ...(record.failureCode ? { failureCode: record.failureCode } : {}),
    ...(record.failureMessage ? { failureMessage: record.failureMessage } : {}),
    updatedAt: record.updatedAt,
  };
}
