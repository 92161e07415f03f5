import type { StripeRequestFailed } from '../errors';
import type { DefaultOwner, SetupOutcome, StripeGateway } from '../ports';
import { defaultOwnerKey, isDeletedCustomerOwner } from '../ports';
import type { ApplyPlan } from './apply-default-payment-method';

type PlannedWork = Pick<ApplyPlan, 'customerId' | 'paymentMethodId' | 'subscriptionId'>;

/**
 * A customer Stripe deleted (`customer.deleted`, recorded on its owner record) has nothing left to update:
 * a setup or change still waiting for them is superseded by the deletion, before any Stripe call. Stripe
 * would refuse the writes anyway (a deleted customer answers 404), but then as a failure, and a link's
 * invoice would be looked for.
 */
export function supersededByDeletedCustomer(
  plan: PlannedWork,
  owners: Map<string, DefaultOwner>,
): SetupOutcome | undefined {
  if (!isDeletedCustomerOwner(owners.get(defaultOwnerKey({ kind: 'customer', id: plan.customerId }))))
    return undefined;
  return supersededByDeletion(plan);
}

/**
 * The work reached Stripe after the customer was deleted there but before `customer.deleted` was handled:
 * Stripe answers 404. Only on that answer is the customer read, and if Stripe says it is deleted, the work is
 * superseded like any that comes after the event; otherwise the 404 stands as the failure it is.
 */
export async function supersededIfCustomerDeleted(
  stripe: Pick<StripeGateway, 'isCustomerDeleted'>,
  error: StripeRequestFailed,
  plan: PlannedWork,
): Promise<SetupOutcome | undefined> {
  if (error.kind !== 'not_found') return undefined;
  const deleted = await stripe.isCustomerDeleted(plan.customerId).catch(() => false);
  return deleted ? supersededByDeletion(plan) : undefined;
}

export function supersededByDeletion(plan: PlannedWork): SetupOutcome {
  return {
    status: 'superseded',
    customerId: plan.customerId,
    paymentMethodId: plan.paymentMethodId,
    customerDefault: 'superseded',
    ...(plan.subscriptionId
      ? { subscriptionId: plan.subscriptionId, subscriptionDefault: 'superseded' as const }
      : {}),
  };
}
