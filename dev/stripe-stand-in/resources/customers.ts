import { resourceMissing } from '../errors';
import { newId, nowSeconds, randomBase62 } from '../ids';
import { paginate } from '../list';
import { applyMetadata, nullableString, optionalObject, optionalString } from '../params';
import { previousAttributes, snapshotOf } from '../previous-attributes';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { DeletedCustomer, StoredCustomer } from '../types';
import { requireOwnSource } from './customer-sources';
import { checkAttachable, requireAttachedTo, resolvePaymentMethod } from './payment-methods';

/** A customer the URL names: missing and deleted customers both answer 404 for writes. */
function liveCustomerFromPath(store: StandInStore, id: string | undefined): StoredCustomer {
  return store.requireLiveCustomer(id ?? '', 'id', 404);
}

/** Cancels what Stripe cancels when a customer is deleted: its subscriptions, immediately. */
function cancelSubscriptionsOf(store: StandInStore, customerId: string): void {
  const now = nowSeconds();
  for (const subscription of store.subscriptions.values()) {
    if (subscription.customer !== customerId || subscription.status === 'canceled') continue;
    subscription.status = 'canceled';
    subscription.canceled_at = now;
    subscription.ended_at = now;
  }
}

export const customerRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    contract: { params: 'CustomerCreateParams', response: 'Customer' },
    handle({ params, store, livemode }) {
      const paymentMethodId = optionalString(params, 'payment_method');
      const paymentMethod =
        paymentMethodId === undefined
          ? undefined
          : resolvePaymentMethod(store, paymentMethodId, 'payment_method', livemode);
      const defaultPaymentMethod =
        nullableString(optionalObject(params, 'invoice_settings') ?? {}, 'default_payment_method') ?? null;
      const id = newId('cus');
      if (paymentMethod !== undefined) checkAttachable(store, paymentMethod, id);
      const testClock = optionalString(params, 'test_clock');
      if (testClock !== undefined && !store.testClocks.has(testClock)) {
        throw resourceMissing('test_clock', testClock, 'test_clock', 400);
      }
      const customer: StoredCustomer = {
        id,
        object: 'customer',
        address: null,
        balance: 0,
        // A customer on a Test Clock is created at the clock's frozen time.
        created:
          testClock === undefined
            ? nowSeconds()
            : (store.testClocks.get(testClock)?.frozen_time ?? nowSeconds()),
        currency: null,
        default_source: null,
        delinquent: false,
        description: nullableString(params, 'description') ?? null,
        email: nullableString(params, 'email') ?? null,
        invoice_prefix: randomBase62(8).toUpperCase(),
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        livemode,
        metadata: applyMetadata({}, params.metadata),
        name: nullableString(params, 'name') ?? null,
        next_invoice_sequence: 1,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: testClock ?? null,
      };
      if (defaultPaymentMethod !== null && defaultPaymentMethod !== paymentMethod?.id) {
        // Nothing else can be attached to a customer that does not exist yet.
        requireAttachedTo(store, defaultPaymentMethod, customer, 'invoice_settings[default_payment_method]');
      }
      if (paymentMethod !== undefined) paymentMethod.customer = id;
      customer.invoice_settings.default_payment_method = defaultPaymentMethod;
      store.customers.set(id, customer);
      return { body: customer, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id',
    contract: { params: 'CustomerRetrieveParams', response: 'CustomerOrDeleted' },
    handle({ pathParams, store }) {
      const id = pathParams.id ?? '';
      const customer = store.getCustomer(id);
      if (customer === undefined) throw resourceMissing('customer', id, 'id');
      return { body: customer, effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/customers/:id',
    contract: { params: 'CustomerUpdateParams', response: 'Customer' },
    handle({ params, pathParams, store }) {
      const customer = liveCustomerFromPath(store, pathParams.id);
      const invoiceSettings = optionalObject(params, 'invoice_settings');
      const defaultPaymentMethod =
        invoiceSettings === undefined ? undefined : nullableString(invoiceSettings, 'default_payment_method');
      if (typeof defaultPaymentMethod === 'string') {
        requireAttachedTo(store, defaultPaymentMethod, customer, 'invoice_settings[default_payment_method]');
      }
      const defaultSource = optionalString(params, 'default_source');
      if (defaultSource !== undefined) requireOwnSource(store, customer, defaultSource, 'default_source');
      const before = JSON.stringify(customer);
      const snapshot = snapshotOf(customer);
      if (defaultSource !== undefined) customer.default_source = defaultSource;
      const email = nullableString(params, 'email');
      if (email !== undefined) customer.email = email;
      const name = nullableString(params, 'name');
      if (name !== undefined) customer.name = name;
      const description = nullableString(params, 'description');
      if (description !== undefined) customer.description = description;
      customer.metadata = applyMetadata(customer.metadata, params.metadata);
      if (defaultPaymentMethod !== undefined)
        customer.invoice_settings.default_payment_method = defaultPaymentMethod;
      const changed = before !== JSON.stringify(customer);
      // Every change is announced with what it replaced (Events.d.ts CustomerUpdatedEvent).
      const previous = previousAttributes(snapshot, snapshotOf(customer));
      if (previous)
        store.recordEvent(
          'customer.updated',
          customer,
          customer.livemode,
          store.timeOf(customer.id),
          previous,
        );
      return { body: customer, effect: changed, changed };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id',
    contract: { params: 'CustomerDeleteParams', response: 'DeletedCustomer' },
    handle({ pathParams, store }) {
      const customer = liveCustomerFromPath(store, pathParams.id);
      const deleted: DeletedCustomer = { id: customer.id, object: 'customer', deleted: true };
      // customer.deleted carries the customer as it was (Events.d.ts CustomerDeletedEvent: Stripe.Customer).
      store.recordEvent('customer.deleted', customer, customer.livemode, store.timeOf(customer.id));
      store.customers.delete(customer.id);
      store.deletedCustomers.set(customer.id, deleted);
      cancelSubscriptionsOf(store, customer.id);
      return { body: deleted, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers',
    contract: { params: 'CustomerListParams', response: 'CustomerList' },
    handle({ params, store }) {
      const email = optionalString(params, 'email');
      const candidates = [...store.customers.values()].filter(
        (c) => email === undefined || c.email === email,
      );
      return { body: paginate(candidates, params, '/v1/customers', 'customer'), effect: false };
    },
  },
];
