import { DAY_SECONDS, PERIOD_SECONDS } from '../billing/billing-settings';
import { createSubscriptionInvoice, periodAmount } from '../billing/subscription-invoices';
import { invalidRequest, resourceMissing } from '../errors';
import type { FormObject, FormValue } from '../form-encoding';
import { newId, nowSeconds } from '../ids';
import { paginate } from '../list';
import {
  applyMetadata,
  nullableString,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringArray,
  requiredString,
} from '../params';
import { previousAttributes, snapshotOf } from '../previous-attributes';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type {
  MissingPaymentMethodBehavior,
  StoredSubscription,
  SubscriptionItem,
  UnmodelledSubscriptionFields,
} from '../types';
import { requireOwnSource } from './customer-sources';
import { requireAttachedTo } from './payment-methods';
import { planOf, standInPrice } from './prices';
import { applyPauseCollection, refuseUpdateForStatus } from './subscription-updates';

function subscriptionFromPath(store: StandInStore, id: string | undefined): StoredSubscription {
  const subscription = store.subscriptions.get(id ?? '');
  if (subscription === undefined) throw resourceMissing('subscription', id ?? '', 'id');
  return subscription;
}

function itemsFrom(
  value: FormValue | undefined,
  subscription: { id: string; currency: string; created: number; livemode: boolean },
  trialEnd: number | undefined,
): SubscriptionItem[] {
  const { id: subscriptionId, currency, created, livemode } = subscription;
  if (!Array.isArray(value)) return [];
  return value.map((entry, index) => {
    if (typeof entry !== 'object' || Array.isArray(entry))
      throw invalidRequest('Invalid items', { param: 'items' });
    const price = standInPrice(
      requiredString(entry, 'price', `items[${index}]`),
      currency,
      created,
      livemode,
    );
    return {
      id: newId('si'),
      object: 'subscription_item',
      billing_thresholds: null,
      created,
      current_period_end: trialEnd ?? created + PERIOD_SECONDS,
      current_period_start: created,
      current_trial: null,
      discounts: [],
      metadata: applyMetadata({}, entry.metadata),
      plan: planOf(price),
      price,
      quantity: optionalInteger(entry, 'quantity') ?? 1,
      subscription: subscriptionId,
      tax_rates: null,
    };
  });
}

function unmodelledSubscriptionFields(created: number): UnmodelledSubscriptionFields {
  return {
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: created,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    customer_account: null,
    days_until_due: null,
    discounts: [],
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    managed_payments: null,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    transfer_data: null,
  };
}

function applyCancellationDetails(subscription: StoredSubscription, value: FormValue | undefined): void {
  if (typeof value !== 'object' || Array.isArray(value)) return;
  const comment = nullableString(value, 'comment');
  if (comment !== undefined) subscription.cancellation_details.comment = comment;
  const feedback = nullableString(value, 'feedback');
  if (feedback !== undefined) subscription.cancellation_details.feedback = feedback;
}

function paymentSettingsFrom(value: FormValue | undefined): StoredSubscription['payment_settings'] {
  const settings = typeof value === 'object' && !Array.isArray(value) ? value : {};
  const types = optionalStringArray(settings, 'payment_method_types');
  return {
    payment_method_options: null,
    payment_method_types: types && types.length > 0 ? types : null,
    save_default_payment_method:
      optionalString(settings, 'save_default_payment_method') === 'on_subscription'
        ? 'on_subscription'
        : 'off',
  };
}

/** `trial_end` (a timestamp) or `trial_period_days` from now (https://docs.stripe.com/billing/subscriptions/trials). */
function trialEndFrom(params: FormObject, created: number): number | undefined {
  const days = optionalInteger(params, 'trial_period_days');
  const trialEnd = optionalString(params, 'trial_end');
  if (trialEnd !== undefined && trialEnd !== 'now') return Number.parseInt(trialEnd, 10);
  return days === undefined || days <= 0 ? undefined : created + days * DAY_SECONDS;
}

function missingPaymentMethodFrom(params: FormObject): MissingPaymentMethodBehavior {
  const settings = optionalObject(params, 'trial_settings');
  const endBehavior = settings === undefined ? undefined : optionalObject(settings, 'end_behavior');
  const value = endBehavior === undefined ? undefined : optionalString(endBehavior, 'missing_payment_method');
  return value === 'cancel' || value === 'pause' ? value : 'create_invoice';
}

/**
 * The first invoice (Subscriptions.d.ts, `payment_behavior`): a trial starts `trialing` with a paid zero-amount
 * invoice ("An immediate invoice is still created, but for $0"); `default_incomplete` starts `incomplete` with
 * the first invoice open and unpaid, paid later (then `active`) or expired after 23 hours. Other behaviours are
 * not modelled: the subscription starts `active`, as if its first invoice had been paid.
 */
function startSubscription(
  store: StandInStore,
  subscription: StoredSubscription,
  paymentBehavior: string | undefined,
): void {
  const at = subscription.created;
  const periodEnd = subscription.items.data[0]?.current_period_end ?? at + PERIOD_SECONDS;
  if (subscription.trial_end !== null) subscription.status = 'trialing';
  else if (paymentBehavior === 'default_incomplete') subscription.status = 'incomplete';
  store.subscriptions.set(subscription.id, subscription);
  store.recordEvent('customer.subscription.created', subscription, subscription.livemode, at);
  if (subscription.status === 'trialing') {
    createSubscriptionInvoice(store, subscription, {
      billingReason: 'subscription_create',
      amountDue: 0,
      at,
      periodStart: at,
      periodEnd,
      status: 'paid',
    });
    return;
  }
  if (subscription.status !== 'incomplete') return;
  createSubscriptionInvoice(store, subscription, {
    billingReason: 'subscription_create',
    amountDue: periodAmount(subscription),
    at,
    periodStart: at,
    periodEnd,
    status: 'open',
  });
}

export const subscriptionRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/subscriptions',
    contract: { params: 'SubscriptionCreateParams', response: 'Subscription' },
    handle({ params, store, livemode }) {
      const customer = store.requireLiveCustomer(requiredString(params, 'customer'), 'customer');
      const defaultPaymentMethod = nullableString(params, 'default_payment_method') ?? null;
      if (defaultPaymentMethod !== null) {
        requireAttachedTo(store, defaultPaymentMethod, customer, 'default_payment_method');
      }
      const id = newId('sub');
      const created = store.timeOf(customer.id);
      const currency = optionalString(params, 'currency') ?? 'usd';
      const trialEnd = trialEndFrom(params, created);
      const subscription: StoredSubscription = {
        ...unmodelledSubscriptionFields(created),
        id,
        object: 'subscription',
        cancel_at: null,
        cancel_at_period_end: false,
        canceled_at: null,
        cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
        collection_method: 'charge_automatically',
        created,
        currency,
        customer: customer.id,
        default_payment_method: defaultPaymentMethod,
        default_source: null,
        description: nullableString(params, 'description') ?? null,
        ended_at: null,
        items: {
          object: 'list',
          data: itemsFrom(params.items, { id, currency, created, livemode }, trialEnd),
          has_more: false,
          url: `/v1/subscription_items?subscription=${id}`,
        },
        latest_invoice: null,
        livemode,
        metadata: applyMetadata({}, params.metadata),
        pause_collection: null,
        payment_settings: paymentSettingsFrom(params.payment_settings),
        schedule: null,
        start_date: created,
        status: 'active',
        test_clock: customer.test_clock,
        trial_end: trialEnd ?? null,
        trial_settings: {
          end_behavior: {
            billing_cycle_anchor: null,
            missing_payment_method: missingPaymentMethodFrom(params),
          },
        },
        trial_start: trialEnd === undefined ? null : created,
      };
      startSubscription(store, subscription, optionalString(params, 'payment_behavior'));
      return { body: subscription, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/subscriptions/:id',
    contract: { params: 'SubscriptionRetrieveParams', response: 'Subscription' },
    handle({ pathParams, store }) {
      return { body: subscriptionFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id',
    contract: { params: 'SubscriptionUpdateParams', response: 'Subscription' },
    handle({ params, pathParams, store }) {
      const subscription = subscriptionFromPath(store, pathParams.id);
      refuseUpdateForStatus(subscription, params);
      const defaultPaymentMethod = nullableString(params, 'default_payment_method');
      if (typeof defaultPaymentMethod === 'string') {
        const customer = store.requireLiveCustomer(subscription.customer, 'customer');
        requireAttachedTo(store, defaultPaymentMethod, customer, 'default_payment_method');
      }
      const before = JSON.stringify(subscription);
      const snapshot = snapshotOf(subscription);
      if (defaultPaymentMethod !== undefined) subscription.default_payment_method = defaultPaymentMethod;
      const description = nullableString(params, 'description');
      if (description !== undefined) subscription.description = description;
      const defaultSource = nullableString(params, 'default_source');
      if (typeof defaultSource === 'string') {
        const owner = store.requireLiveCustomer(subscription.customer, 'customer');
        requireOwnSource(store, owner, defaultSource, 'default_source');
      }
      if (defaultSource !== undefined) subscription.default_source = defaultSource;
      if (params.payment_settings !== undefined)
        subscription.payment_settings = paymentSettingsFrom(params.payment_settings);
      applyPauseCollection(subscription, params.pause_collection);
      subscription.metadata = applyMetadata(subscription.metadata, params.metadata);
      applyCancellationDetails(subscription, params.cancellation_details);
      const changed = before !== JSON.stringify(subscription);
      const previous = previousAttributes(snapshot, snapshotOf(subscription));
      if (previous) {
        const at = store.timeOf(subscription.customer);
        store.recordEvent('customer.subscription.updated', subscription, subscription.livemode, at, previous);
      }
      return { body: subscription, effect: changed, changed };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/subscriptions/:id',
    contract: { params: 'SubscriptionCancelParams', response: 'Subscription' },
    handle({ params, pathParams, store }) {
      const subscription = subscriptionFromPath(store, pathParams.id);
      if (subscription.status === 'canceled') {
        throw invalidRequest(`No such subscription: '${subscription.id}'`, {
          param: 'id',
          code: 'resource_missing',
          status: 404,
        });
      }
      const now = nowSeconds();
      subscription.status = 'canceled';
      subscription.canceled_at = now;
      subscription.ended_at = now;
      subscription.cancellation_details.reason = 'cancellation_requested';
      applyCancellationDetails(subscription, params.cancellation_details);
      return { body: subscription, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/subscriptions',
    contract: { params: 'SubscriptionListParams', response: 'SubscriptionList' },
    handle({ params, store }) {
      const customer = optionalString(params, 'customer');
      const status = optionalString(params, 'status');
      // Without `status`, Stripe lists every subscription that has not been canceled.
      const matchesStatus = (s: StoredSubscription): boolean =>
        status === 'all' ||
        (status === undefined && s.status !== 'canceled') ||
        (status === 'ended' && s.status === 'canceled') ||
        s.status === status;
      const candidates = [...store.subscriptions.values()].filter(
        (s) => (customer === undefined || s.customer === customer) && matchesStatus(s),
      );
      return { body: paginate(candidates, params, '/v1/subscriptions', 'subscription'), effect: false };
    },
  },
];
