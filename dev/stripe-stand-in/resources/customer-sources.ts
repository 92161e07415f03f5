import { TEST_TOKENS, testCardFromNumber } from '../cards';
import { invalidRequest, resourceMissing } from '../errors';
import { newId } from '../ids';
import { requiredString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredCustomer, StoredPaymentMethod } from '../types';
import { createCardPaymentMethod } from './payment-methods';

/**
 * Legacy card sources (Cards.d.ts; https://docs.stripe.com/api/cards/create): `POST /v1/customers/:id/sources`
 * with a test token saves a `card_…` on the customer, which becomes its `default_source` if it had none ("If
 * the card's owner has no default card, then the new card will become the default"). Cards are usable as
 * PaymentMethods (https://docs.stripe.com/payments/payment-methods/transitioning#compatibility), so the card
 * is also kept as a card-type PaymentMethod under the same id: listed, retrieved and detached like one.
 */
export const customerSourceRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/customers/:id/sources',
    contract: { params: 'CustomerCreateSourceParams', response: 'Card' },
    handle({ params, pathParams, store, livemode }) {
      const customer = store.requireLiveCustomer(pathParams.id ?? '', 'id');
      const token = requiredString(params, 'source');
      const number = TEST_TOKENS[token];
      if (number === undefined) throw resourceMissing('token', token, 'source', 400);
      const method = createCardPaymentMethod(store, testCardFromNumber(number), livemode);
      store.paymentMethods.delete(method.id);
      const failsWhenCharged = store.failsWhenCharged.delete(method.id);
      method.id = newId('card');
      method.customer = customer.id;
      method.created = store.timeOf(customer.id);
      store.paymentMethods.set(method.id, method);
      if (failsWhenCharged) store.failsWhenCharged.add(method.id);
      if (customer.default_source === null) customer.default_source = method.id;
      return { body: cardOf(method, customer), effect: true };
    },
  },
];

/** A customer's `default_source`: one of its own sources (Customers.d.ts `default_source`). */
export function requireOwnSource(store: StandInStore, customer: StoredCustomer, id: string, param: string) {
  const source = store.paymentMethods.get(id);
  if (!id.startsWith('card_') || source === undefined || source.customer !== customer.id) {
    throw invalidRequest(`No such source: '${id}'`, { param, code: 'resource_missing', status: 400 });
  }
}

function cardOf(method: StoredPaymentMethod, customer: StoredCustomer) {
  const card = method.card;
  if (card === undefined) throw invalidRequest('not a card');
  return {
    id: method.id,
    object: 'card' as const,
    address_city: null,
    address_country: null,
    address_line1: null,
    address_line1_check: null,
    address_line2: null,
    address_state: null,
    address_zip: null,
    address_zip_check: null,
    brand:
      card.brand === 'amex' ? 'American Express' : card.brand.charAt(0).toUpperCase() + card.brand.slice(1),
    country: card.country,
    customer: customer.id,
    cvc_check: 'pass',
    dynamic_last4: null,
    exp_month: card.exp_month,
    exp_year: card.exp_year,
    fingerprint: card.fingerprint,
    funding: card.funding,
    last4: card.last4,
    metadata: {},
    name: null,
    regulated_status: 'unregulated' as const,
    tokenization_method: null,
  };
}
