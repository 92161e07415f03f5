import {
  cardDetails,
  FAILS_WHEN_CHARGED_NUMBER,
  TEST_PAYMENT_METHODS,
  TEST_TOKENS,
  type TestCard,
  testCardFromNumber,
} from '../cards';
import { invalidRequest, parameterInvalid, resourceMissing } from '../errors';
import type { FormObject } from '../form-encoding';
import { newId, nowSeconds } from '../ids';
import { paginate } from '../list';
import { applyMetadata, optionalInteger, optionalObject, optionalString, requiredString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { BillingDetails, StoredCustomer, StoredPaymentMethod } from '../types';

function billingDetails(params: FormObject | undefined): BillingDetails {
  const address = params === undefined ? undefined : optionalObject(params, 'address');
  const field = (source: FormObject | undefined, key: string): string | null =>
    (source === undefined ? undefined : optionalString(source, key)) || null;
  return {
    address: {
      city: field(address, 'city'),
      country: field(address, 'country'),
      line1: field(address, 'line1'),
      line2: field(address, 'line2'),
      postal_code: field(address, 'postal_code'),
      state: field(address, 'state'),
    },
    email: field(params, 'email'),
    name: field(params, 'name'),
    phone: field(params, 'phone'),
    tax_id: null,
  };
}

export function createCardPaymentMethod(
  store: StandInStore,
  card: TestCard,
  livemode: boolean,
  extra: {
    billing?: FormObject;
    metadata?: Record<string, string>;
    expMonth?: number;
    expYear?: number;
  } = {},
): StoredPaymentMethod {
  const paymentMethod: StoredPaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(extra.billing),
    card: cardDetails(card, extra.expMonth, extra.expYear),
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode,
    metadata: extra.metadata ?? {},
    type: 'card',
  };
  store.paymentMethods.set(paymentMethod.id, paymentMethod);
  if (card.number === FAILS_WHEN_CHARGED_NUMBER) store.failsWhenCharged.add(paymentMethod.id);
  return paymentMethod;
}

/**
 * Finds the PaymentMethod a request names. Stripe's `pm_card_visa`-style test ids stand for a new
 * PaymentMethod each time they are used.
 */
export function resolvePaymentMethod(
  store: StandInStore,
  id: string,
  param: string,
  livemode: boolean,
  status = 400,
): StoredPaymentMethod {
  const testNumber = TEST_PAYMENT_METHODS[id];
  if (testNumber !== undefined && !livemode)
    return createCardPaymentMethod(store, testCardFromNumber(testNumber), false);
  const paymentMethod = store.paymentMethods.get(id);
  if (paymentMethod === undefined) throw resourceMissing('PaymentMethod', id, param, status);
  return paymentMethod;
}

/** Checks Stripe's attach rules without changing anything; returns whether attaching changes state. */
export function checkAttachable(
  store: StandInStore,
  paymentMethod: StoredPaymentMethod,
  customerId: string,
): boolean {
  if (paymentMethod.customer === customerId) return false;
  if (paymentMethod.customer !== null) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', {
      param: 'payment_method',
    });
  }
  if (store.detachedPaymentMethodIds.has(paymentMethod.id)) {
    throw invalidRequest(
      'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
    );
  }
  return true;
}

/** Detaching also clears the PaymentMethod wherever it was the customer's or a subscription's default. */
export function detachPaymentMethod(store: StandInStore, paymentMethod: StoredPaymentMethod): void {
  const customer = paymentMethod.customer === null ? undefined : store.customers.get(paymentMethod.customer);
  const at = store.timeOf(paymentMethod.customer);
  if (customer !== undefined && customer.invoice_settings.default_payment_method === paymentMethod.id) {
    const settingsBefore = { ...customer.invoice_settings };
    customer.invoice_settings.default_payment_method = null;
    store.recordEvent('customer.updated', customer, customer.livemode, at, {
      invoice_settings: settingsBefore,
    });
  }
  // A legacy card source (customer-sources.ts) stops being anyone's `default_source` once it is gone.
  if (customer !== undefined && customer.default_source === paymentMethod.id) customer.default_source = null;
  for (const subscription of store.subscriptions.values()) {
    if (subscription.default_payment_method === paymentMethod.id) subscription.default_payment_method = null;
    if (subscription.default_source === paymentMethod.id) subscription.default_source = null;
  }
  const formerCustomer = paymentMethod.customer;
  paymentMethod.customer = null;
  store.detachedPaymentMethodIds.add(paymentMethod.id);
  // The detached method no longer names its customer; previous_attributes does (PaymentMethodDetachedEvent).
  store.recordEvent('payment_method.detached', paymentMethod, paymentMethod.livemode, at, {
    customer: formerCustomer,
  });
}

/** Stripe requires a default payment method to be attached to the customer it is the default for. */
export function requireAttachedTo(
  store: StandInStore,
  paymentMethodId: string,
  customer: StoredCustomer,
  param: string,
): void {
  const paymentMethod = store.paymentMethods.get(paymentMethodId);
  if (paymentMethod === undefined || paymentMethod.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${paymentMethodId}. The payment method must be attached to the customer.`,
      { param, code: 'resource_missing' },
    );
  }
}

function cardFromParams(card: FormObject | undefined): TestCard {
  const token = card === undefined ? undefined : optionalString(card, 'token');
  const number = card === undefined ? undefined : optionalString(card, 'number');
  if (token !== undefined) {
    const tokenNumber = TEST_TOKENS[token];
    if (tokenNumber === undefined) throw resourceMissing('token', token, 'card[token]', 400);
    return testCardFromNumber(tokenNumber);
  }
  // Raw numbers are accepted here for convenience; real test-mode accounts usually require tokens.
  if (number !== undefined) return testCardFromNumber(number);
  throw parameterInvalid('card', 'Missing required param: card[token].', 'parameter_missing');
}

function listForCustomer(store: StandInStore, customerId: string): StoredPaymentMethod[] {
  return [...store.paymentMethods.values()].filter((pm) => pm.customer === customerId);
}

export const paymentMethodRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/payment_methods',
    contract: { params: 'PaymentMethodCreateParams', response: 'PaymentMethod' },
    handle({ params, store, livemode }) {
      requiredString(params, 'type');
      const card = optionalObject(params, 'card');
      const paymentMethod = createCardPaymentMethod(store, cardFromParams(card), livemode, {
        billing: optionalObject(params, 'billing_details'),
        metadata: applyMetadata({}, params.metadata),
        ...(card === undefined
          ? {}
          : { expMonth: optionalInteger(card, 'exp_month'), expYear: optionalInteger(card, 'exp_year') }),
      });
      const allowRedisplay = optionalString(params, 'allow_redisplay');
      if (allowRedisplay !== undefined)
        paymentMethod.allow_redisplay = allowRedisplay as StoredPaymentMethod['allow_redisplay'];
      return { body: paymentMethod, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods/:id',
    contract: { params: 'PaymentMethodRetrieveParams', response: 'PaymentMethod' },
    handle({ pathParams, store }) {
      const paymentMethod = store.paymentMethods.get(pathParams.id ?? '');
      if (paymentMethod === undefined) throw resourceMissing('PaymentMethod', pathParams.id ?? '', 'id');
      return { body: paymentMethod, effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id',
    contract: { params: 'PaymentMethodUpdateParams', response: 'PaymentMethod' },
    handle({ params, pathParams, store }) {
      const paymentMethod = store.paymentMethods.get(pathParams.id ?? '');
      if (paymentMethod === undefined) throw resourceMissing('PaymentMethod', pathParams.id ?? '', 'id');
      const before = JSON.stringify(paymentMethod);
      paymentMethod.metadata = applyMetadata(paymentMethod.metadata, params.metadata);
      const billing = optionalObject(params, 'billing_details');
      if (billing !== undefined) paymentMethod.billing_details = billingDetails(billing);
      const allowRedisplay = optionalString(params, 'allow_redisplay');
      if (allowRedisplay !== undefined)
        paymentMethod.allow_redisplay = allowRedisplay as StoredPaymentMethod['allow_redisplay'];
      const changed = before !== JSON.stringify(paymentMethod);
      return { body: paymentMethod, effect: changed, changed };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    contract: { params: 'PaymentMethodAttachParams', response: 'PaymentMethod' },
    handle({ params, pathParams, store, livemode }) {
      const customerId = requiredString(params, 'customer');
      const customer = store.requireLiveCustomer(customerId, 'customer');
      const paymentMethod = resolvePaymentMethod(store, pathParams.id ?? '', 'id', livemode, 404);
      const changed = checkAttachable(store, paymentMethod, customer.id);
      paymentMethod.customer = customer.id;
      return { body: paymentMethod, effect: changed, changed };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    contract: { params: 'PaymentMethodDetachParams', response: 'PaymentMethod' },
    handle({ pathParams, store }) {
      const paymentMethod = store.paymentMethods.get(pathParams.id ?? '');
      if (paymentMethod === undefined) throw resourceMissing('PaymentMethod', pathParams.id ?? '', 'id');
      if (paymentMethod.customer === null) {
        // A 400 `invalid_request_error`; no Stripe source names a `code` for it, so the stand-in gives none
        // and a client cannot come to rely on one.
        throw invalidRequest(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
        );
      }
      detachPaymentMethod(store, paymentMethod);
      return { body: paymentMethod, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    contract: { params: 'PaymentMethodListParams', response: 'PaymentMethodList' },
    handle({ params, store }) {
      const customerId = optionalString(params, 'customer');
      if (customerId !== undefined) store.requireLiveCustomer(customerId, 'customer');
      const type = optionalString(params, 'type');
      const candidates = [...store.paymentMethods.values()].filter(
        (pm) =>
          (customerId === undefined || pm.customer === customerId) &&
          (type === undefined || pm.type === type),
      );
      return { body: paginate(candidates, params, '/v1/payment_methods', 'PaymentMethod'), effect: false };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods',
    contract: { params: 'CustomerListPaymentMethodsParams', response: 'PaymentMethodList' },
    handle({ params, pathParams, store }) {
      const customer = store.requireLiveCustomer(pathParams.id ?? '', 'customer', 404);
      const type = optionalString(params, 'type');
      const candidates = listForCustomer(store, customer.id).filter(
        (pm) => type === undefined || pm.type === type,
      );
      return {
        body: paginate(candidates, params, `/v1/customers/${customer.id}/payment_methods`, 'PaymentMethod'),
        effect: false,
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods/:payment_method',
    contract: { params: 'CustomerRetrievePaymentMethodParams', response: 'PaymentMethod' },
    handle({ pathParams, store }) {
      const customer = store.requireLiveCustomer(pathParams.id ?? '', 'customer', 404);
      const id = pathParams.payment_method ?? '';
      const paymentMethod = store.paymentMethods.get(id);
      // Customers.d.ts `retrievePaymentMethod`: a method saved on another customer, or on none, is missing.
      if (paymentMethod === undefined || paymentMethod.customer !== customer.id)
        throw resourceMissing('PaymentMethod', id, 'payment_method');
      return { body: paymentMethod, effect: false };
    },
  },
];
