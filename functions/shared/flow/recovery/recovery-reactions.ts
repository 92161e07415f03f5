import {
  CHARGEABLE_SUBSCRIPTION_STATUSES,
  type DefaultTarget,
  defaultOwnerKey,
  deletedCustomerOwner,
} from '../../ports';
import type { InvoiceSnapshot, ProvenEvent, UpdateNeededReason } from '../../recovery-ports';
import type { RecoveryDeps } from './apply-recovery-event';
import { expiresBefore, methodThatPays } from './charge-order';
import { mintUpdateLink } from './update-links';

type Json = Record<string, unknown>;
const idOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null
      ? (((value as Json).id as string) ?? null)
      : null;
const numberOf = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * What a proven event means, each decided on objects read fresh from Stripe (the event's snapshot may be
 * stale: a renewal paid meanwhile, a card the network updated). Returns what was done, for the log.
 * Stripe's meaning of each event: https://docs.stripe.com/billing/subscriptions/webhooks.
 */
export async function reactToEvent(deps: RecoveryDeps, event: ProvenEvent): Promise<string> {
  const object = event.object;
  switch (event.type) {
    case 'invoice.payment_failed':
    case 'invoice.payment_action_required': {
      const invoice = await deps.recoveryStripe.retrieveInvoice(idOf(object) ?? '');
      // Paid or voided since: the failure is over, nobody needs asking.
      if (invoice.status !== 'open') return `invoice_${invoice.status ?? 'unknown'}`;
      // 3-D Secure on an off-session renewal: the card is fine, the customer must authenticate the payment on
      // Stripe's hosted invoice page (https://docs.stripe.com/billing/subscriptions/overview#requires-action).
      if (event.type === 'invoice.payment_action_required')
        return updateNeeded(
          deps,
          event,
          'action_required',
          invoice.customerId,
          invoice.subscriptionId,
          invoice,
          {
            url: invoice.hostedInvoiceUrl,
          },
        );
      return updateNeeded(deps, event, 'payment_failed', invoice.customerId, invoice.subscriptionId, invoice);
    }
    case 'invoice.upcoming':
      return upcomingRenewal(deps, event);
    case 'customer.subscription.trial_will_end': {
      const subscription = await deps.recoveryStripe.retrieveSubscriptionPayers(idOf(object) ?? '');
      if (subscription.status !== 'trialing' || subscription.customerDeleted) return 'not_trialing';
      if (methodThatPays(subscription.payers)) return 'has_method';
      return updateNeeded(
        deps,
        event,
        'trial_ending_without_method',
        subscription.customerId,
        subscription.id,
      );
    }
    case 'payment_method.automatically_updated':
      // The network replaced the card's number or expiry; the method id is unchanged, so every default that
      // names it stays right. Nothing to ask for: the renewal check reads the new expiry when it comes.
      return 'card_updated_by_network';
    case 'payment_method.detached':
      return detachedElsewhere(deps, event);
    case 'mandate.updated':
      return mandateChanged(deps, event);
    case 'customer.updated':
      return defaultChanged(deps, event, { kind: 'customer', id: idOf(object) ?? '' });
    case 'customer.subscription.updated':
      return defaultChanged(deps, event, { kind: 'subscription', id: idOf(object) ?? '' });
    case 'customer.deleted':
      return customerDeleted(deps, event, idOf(object) ?? '');
    default:
      return 'not_handled';
  }
}

async function updateNeeded(
  deps: RecoveryDeps,
  event: ProvenEvent,
  reason: UpdateNeededReason,
  customerId: string,
  subscriptionId: string | null,
  invoice?: InvoiceSnapshot,
  hosted?: { url: string | null },
): Promise<string> {
  if (!deps.updateNeededReasons.has(reason)) return `${reason}_not_reported`;
  const link =
    hosted || !deps.linkMinting
      ? undefined
      : await mintUpdateLink(deps.linkMinting, {
          customerId,
          subscriptionId,
          reason,
          invoiceId: invoice?.id ?? null,
          // The same event mints the same link on a retry.
          seed: event.id,
        });
  await deps.recoveryEvents.publishRecovery({
    type: 'update_needed',
    customerId,
    subscriptionId,
    reason,
    updateUrl: hosted ? hosted.url : (link?.url ?? null),
    expiresAt: link ? new Date(link.expiresAt * 1000).toISOString() : null,
    ...(invoice
      ? {
          invoice: {
            id: invoice.id,
            amountDue: invoice.amountDue,
            currency: invoice.currency,
            nextPaymentAttempt: invoice.nextPaymentAttempt
              ? new Date(invoice.nextPaymentAttempt * 1000).toISOString()
              : null,
          },
        }
      : {}),
    stripeEventId: event.id,
    livemode: event.livemode,
  });
  return reason;
}

/**
 * `invoice.upcoming` comes days before a renewal (the account's "upcoming renewal events" setting). The
 * method that will pay is read now, in Stripe's charge order, so a card the network already updated
 * (`payment_method.automatically_updated`) is judged on its new expiry.
 */
async function upcomingRenewal(deps: RecoveryDeps, event: ProvenEvent): Promise<string> {
  const object = event.object;
  const parent = (object.parent as Json | null | undefined)?.subscription_details as Json | undefined;
  const subscriptionId = idOf(parent?.subscription) ?? idOf(object.subscription);
  const chargeAt =
    numberOf(object.next_payment_attempt) ?? numberOf(object.period_end) ?? numberOf(object.due_date);
  if (!subscriptionId || chargeAt === null) return 'no_renewal';
  const subscription = await deps.recoveryStripe.retrieveSubscriptionPayers(subscriptionId);
  if (!CHARGEABLE_SUBSCRIPTION_STATUSES.includes(subscription.status) || subscription.customerDeleted)
    return 'not_chargeable';
  const payer = methodThatPays(subscription.payers);
  if (!payer?.expiry || !expiresBefore(payer.expiry, chargeAt)) return 'method_valid_at_renewal';
  return updateNeeded(deps, event, 'expires_before_renewal', subscription.customerId, subscription.id);
}

/**
 * A method detached outside the service (the Dashboard, the portal, another integration). Stripe clears a
 * detached method wherever it was a default: the customer's invoice default and any subscription's own
 * `default_payment_method` (https://docs.stripe.com/api/payment_methods/detach). Where the service had made
 * it a default and nothing else in Stripe's charge order is left to pay, the customer is asked for a new
 * method: for a subscription that now has nothing to charge (its link sets that subscription's default too),
 * else for the customer. One ask per event (consumers deduplicate on the Stripe event id).
 */
async function detachedElsewhere(deps: RecoveryDeps, event: ProvenEvent): Promise<string> {
  const paymentMethodId = idOf(event.object) ?? '';
  const customerId = idOf(event.previousAttributes.customer);
  if (!customerId) return 'no_customer';
  const customerTarget: DefaultTarget = { kind: 'customer', id: customerId };
  const { subscriptions } = await deps.stripe.listSubscriptionDefaults(customerId);
  const chargeable = subscriptions.filter((subscription) =>
    CHARGEABLE_SUBSCRIPTION_STATUSES.includes(subscription.status),
  );
  const targets: DefaultTarget[] = [
    customerTarget,
    ...chargeable.map((subscription) => ({ kind: 'subscription' as const, id: subscription.id })),
  ];
  const owners = await deps.records.defaultOwners(targets);
  const setHere = (target: DefaultTarget) =>
    owners.get(defaultOwnerKey(target))?.paymentMethodId === paymentMethodId;
  const subscriptionsSetHere = targets.filter((target) => target.kind === 'subscription' && setHere(target));
  if (!setHere(customerTarget) && subscriptionsSetHere.length === 0) return 'not_a_default_set_here';
  const customer = await deps.recoveryStripe.retrieveCustomerPayers(customerId);
  if (customer.deleted) return 'customer_deleted';
  for (const target of subscriptionsSetHere) {
    const subscription = await deps.recoveryStripe.retrieveSubscriptionPayers(target.id);
    if (!methodThatPays(subscription.payers))
      return updateNeeded(deps, event, 'default_removed_elsewhere', customerId, subscription.id);
  }
  if (!setHere(customerTarget)) return 'subscription_falls_back_to_another_method';
  if (customer.payers.some((payer) => payer.source === 'customer.invoice_settings.default_payment_method'))
    return 'customer_has_another_default';
  return updateNeeded(deps, event, 'default_removed_elsewhere', customerId, null);
}

/** A bank revoked a debit mandate (`mandate.updated`, status `inactive`): its method can no longer pay. */
async function mandateChanged(deps: RecoveryDeps, event: ProvenEvent): Promise<string> {
  const mandate = await deps.recoveryStripe.retrieveMandate(idOf(event.object) ?? '');
  if (mandate.status !== 'inactive') return `mandate_${mandate.status}`;
  const method = await deps.recoveryStripe.retrievePaymentMethodOwner(mandate.paymentMethodId);
  if (!method.customerId) return 'method_not_attached';
  const [{ subscriptions }, customer] = await Promise.all([
    deps.stripe.listSubscriptionDefaults(method.customerId),
    deps.recoveryStripe.retrieveCustomerPayers(method.customerId),
  ]);
  // The customer's invoice default, read directly: the listing has it only when there are subscriptions.
  const customerDefault =
    customer.payers.find((payer) => payer.source === 'customer.invoice_settings.default_payment_method')
      ?.id ?? null;
  const paying = subscriptions.find(
    (subscription) =>
      CHARGEABLE_SUBSCRIPTION_STATUSES.includes(subscription.status) &&
      (subscription.defaultPaymentMethodId ?? customerDefault) === method.id,
  );
  if (!paying && customerDefault !== method.id) return 'method_pays_nothing';
  return updateNeeded(deps, event, 'mandate_inactive', method.customerId, paying?.id ?? null);
}

/**
 * A default changed outside the service. The owner record takes the new default, ordered by the event's
 * time, so a setup saved earlier and delivered late does not roll it back ("newest wins" holds against
 * changes made elsewhere too), and the SaaS hears of it. A late echo (Stripe already holds what the owner
 * record says) changes nothing.
 */
async function defaultChanged(
  deps: RecoveryDeps,
  event: ProvenEvent,
  target: DefaultTarget,
): Promise<string> {
  const [current, owners] = await Promise.all([
    deps.stripe.currentDefaultPaymentMethod(target),
    deps.records.defaultOwners([target]),
  ]);
  const owner = owners.get(defaultOwnerKey(target));
  const now = current?.paymentMethodId ?? null;
  if (owner && owner.paymentMethodId === now) return 'in_step';
  const customerId = target.kind === 'customer' ? target.id : (idOf(event.object.customer) ?? '');
  if (now) {
    const seconds = String(event.created).padStart(12, '0');
    // Stripe holds this default now, so within its second it is newer than the setup the owner record
    // names (which Stripe no longer holds): `~` sorts after any `seti_…` of the same second.
    const recorded = await deps.records.recordDefaultOwner(target, {
      setupOrder: `${seconds}#${seconds}#~${event.id}`,
      setupIntentId: event.id,
      paymentMethodId: now,
    });
    // A setup newer than this change owns the default: the change is history, not news.
    if (!recorded) return 'older_than_owner';
  }
  await deps.recoveryEvents.publishRecovery({
    type: 'default_changed_elsewhere',
    customerId,
    subscriptionId: target.kind === 'subscription' ? target.id : null,
    paymentMethodId: now,
    previousPaymentMethodId: owner?.paymentMethodId ?? null,
    stripeEventId: event.id,
    livemode: event.livemode,
  });
  return 'drift_recorded';
}

/**
 * A deleted customer has nothing left to update: the deletion is recorded on the customer's owner record
 * (where every setup and change looks before it writes, so those still queued or pending are superseded,
 * never applied), then every link minted for them is revoked. Stripe cancels the customer's subscriptions
 * itself (https://docs.stripe.com/api/customers/delete).
 */
async function customerDeleted(deps: RecoveryDeps, event: ProvenEvent, customerId: string): Promise<string> {
  const customer = await deps.recoveryStripe.retrieveCustomerPayers(customerId);
  if (!customer.deleted) return 'customer_not_deleted';
  await deps.records.recordDefaultOwner({ kind: 'customer', id: customerId }, deletedCustomerOwner(event.id));
  const links = await deps.links.linksOf(customerId);
  await Promise.all(links.map((linkId) => deps.links.revoke(linkId)));
  return `links_revoked:${links.length}`;
}
