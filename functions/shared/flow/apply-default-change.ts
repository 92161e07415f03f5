import { failureMessageOf, StripeRequestFailed } from '../errors';
import type { SetupOutcome, SetupRecords } from '../ports';
import {
  type ApplyDefaultPaymentMethodDeps,
  type ApplyPlan,
  applyPlan,
  targetsOf,
} from './apply-default-payment-method';
import { type ApplyResult, runClaimed } from './claimed-work';
import { changeOrderOf, type DefaultChangeMessage } from './default-change-message';
import { supersededByDeletedCustomer, supersededIfCustomerDeleted } from './deleted-customer';
import { type ChangeProofDeps, proveDefaultChange } from './prove-default-change';
import { describeUsers, inUse, readCustomerDefaults, usersOf } from './removal-check';
import { needsListing } from './subscription-defaults';

export interface ApplyDefaultChangeDeps extends ApplyDefaultPaymentMethodDeps, ChangeProofDeps {
  /** The changes' own claim records (`default_change#…`); the default owners are the setups' (`records`). */
  changes: SetupRecords;
}

/**
 * The worker's job for one change asked for through the API: claimed like a setup (exactly once), then the
 * same newest-wins steps as a setup, ordered by when the change was requested. Stripe is read fresh here,
 * so a method detached or a subscription canceled since the request is found out now, not assumed. Nothing
 * is claimed or changed before the message is proven the API's own (prove-default-change.ts).
 */
export async function applyDefaultChange(
  deps: ApplyDefaultChangeDeps,
  message: DefaultChangeMessage,
): Promise<ApplyResult> {
  const proof = await proveDefaultChange(deps, message);
  if (!proof.proven) return { status: 'unproven', reason: proof.reason };
  return runClaimed<SetupOutcome>(
    deps,
    {
      what: 'change',
      records: deps.changes,
      id: message.changeId,
      eventId: message.changeId,
      sessionId: null,
      event: (outcome) => ({
        setupIntentId: null,
        changeId: message.changeId,
        sessionId: null,
        livemode: message.livemode,
        outcome,
      }),
    },
    (retry) => resolveChange(deps, message, retry),
  );
}

async function resolveChange(
  deps: ApplyDefaultChangeDeps,
  message: DefaultChangeMessage,
  retry: boolean,
): Promise<SetupOutcome> {
  const { customerId } = message;
  try {
    if (message.paymentMethodId === null) return await removeUnused(deps, message, message.removing ?? '');
    const subscriptionId =
      message.subscription && message.subscription !== 'all' ? message.subscription : undefined;
    const plan: ApplyPlan = {
      status: 'apply',
      customerId,
      paymentMethodId: message.paymentMethodId,
      ...(message.paymentMethodType ? { paymentMethodType: message.paymentMethodType } : {}),
      setupIntentId: message.changeId,
      attach: false,
      setupOrder: changeOrderOf(message.requestedAt, message.changeId),
      // The rollback check's time (default-steps.ts): a method created after the request is newer than it.
      savedAt: Math.floor(message.requestedAt / 1000),
      ...(subscriptionId ? { subscriptionId } : {}),
      ...(message.subscription === 'all' ? { allSubscriptions: true } : {}),
      ...(message.removing ? { removing: message.removing } : {}),
    };
    // A removal with a replacement moves only what the removed method paid: the customer's default changes
    // only if it was the removed method (or already is the replacement, from an earlier attempt).
    if (message.removing) {
      const current = (await deps.stripe.currentDefaultPaymentMethod({ kind: 'customer', id: customerId }))
        ?.paymentMethodId;
      if (current !== message.removing && current !== message.paymentMethodId)
        plan.keepCustomerDefault = true;
    }
    const targets = targetsOf(customerId, subscriptionId);
    // The listing the follow step needs starts beside the owner records rather than after them; it is
    // wasted only when a newer setup has superseded the switch.
    const earlyListing = needsListing(deps, plan)
      ? deps.stripe.listSubscriptionDefaults(customerId)
      : undefined;
    earlyListing?.catch(() => undefined);
    const owners = await deps.records.defaultOwners(targets);
    const deleted = supersededByDeletedCustomer(plan, owners);
    if (deleted) return deleted;
    // No SetupIntent to carry the customer's default: where no owner record says who set it, it is read.
    const stripeNow = { intent: {}, earlySubscriptionDefault: undefined, earlyListing };
    return await applyPlan(deps, plan, targets, owners, stripeNow, retry);
  } catch (error) {
    if (!(error instanceof StripeRequestFailed) || error.retryable) throw error;
    const deleted = message.paymentMethodId
      ? await supersededIfCustomerDeleted(deps.stripe, error, {
          customerId,
          paymentMethodId: message.paymentMethodId,
        })
      : undefined;
    if (deleted) return deleted;
    return {
      status: 'failed',
      customerId,
      ...(message.paymentMethodId ? { paymentMethodId: message.paymentMethodId } : {}),
      failureCode: error.stripeCode ?? error.kind,
      failureMessage: failureMessageOf(error),
    };
  }
}

/** A removal without a replacement: checked again in order with the customer's other work, then detached. */
async function removeUnused(
  deps: ApplyDefaultChangeDeps,
  message: DefaultChangeMessage,
  removing: string,
): Promise<SetupOutcome> {
  const users = usersOf(removing, await readCustomerDefaults(deps.stripe, message.customerId));
  if (inUse(users)) {
    return {
      status: 'failed',
      customerId: message.customerId,
      paymentMethodId: removing,
      failureCode: 'payment_method_in_use',
      failureMessage: `The method is ${describeUsers(users)}; name a replacement to remove it.`,
    };
  }
  if ((await deps.stripe.detachPaymentMethod(message.customerId, removing)) === 'not_owned') {
    return {
      status: 'failed',
      customerId: message.customerId,
      paymentMethodId: removing,
      failureCode: 'payment_method_not_found',
      failureMessage: 'The method is not saved on this customer; nothing was detached.',
    };
  }
  // No default changed: recorded as applied with the customer's default "superseded" (kept as it was).
  return {
    status: 'applied',
    customerId: message.customerId,
    paymentMethodId: removing,
    customerDefault: 'superseded',
    detachedPaymentMethodId: removing,
  };
}
