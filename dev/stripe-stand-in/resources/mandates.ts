import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from '../errors';
import { newId } from '../ids';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';

/**
 * What only the networks and banks do, and the Mandates they leave behind:
 * - a card network's account updater replaces a card's expiry (and sometimes number) and Stripe sends
 *   `payment_method.automatically_updated` (https://docs.stripe.com/payments/cards/overview#automatic-card-updates);
 * - a customer revokes a bank-debit mandate with their bank, the Mandate turns `inactive` and Stripe sends
 *   `mandate.updated` (Mandates.d.ts `status`; https://docs.stripe.com/payments/sepa-debit#mandates).
 * The stand-in's control routes play the network and the bank; the API answers `GET /v1/mandates/:id`.
 */
export type StoredMandate = Stripe.Mandate;

export function mandatesOf(store: StandInStore): Map<string, StoredMandate> {
  return store.mandates;
}

/** The network's card update: new expiry on the same PaymentMethod id. */
export function updateCardByNetwork(
  store: StandInStore,
  paymentMethodId: string,
  expiry: { expMonth: number; expYear: number },
): object {
  const method = store.paymentMethods.get(paymentMethodId);
  if (method?.card === undefined) throw resourceMissing('payment_method', paymentMethodId, 'id');
  if (expiry.expMonth < 1 || expiry.expMonth > 12) throw invalidRequest('exp_month must be 1–12.');
  method.card.exp_month = expiry.expMonth;
  method.card.exp_year = expiry.expYear;
  return store.recordEvent(
    'payment_method.automatically_updated',
    method,
    method.livemode,
    store.timeOf(method.customer),
  );
}

/** The bank's revocation: the method's mandate (made active at first use here) turns inactive. */
export function revokeMandate(store: StandInStore, paymentMethodId: string): StoredMandate {
  const method = store.paymentMethods.get(paymentMethodId);
  if (method === undefined) throw resourceMissing('payment_method', paymentMethodId, 'id');
  if (method.type !== 'sepa_debit' && method.type !== 'us_bank_account')
    throw invalidRequest('Only bank-debit methods (sepa_debit, us_bank_account) have mandates here.');
  const all = mandatesOf(store);
  const mandate =
    [...all.values()].find((found) => found.payment_method === method.id) ??
    newMandate(method.id, method.type, method.livemode);
  all.set(mandate.id, mandate);
  mandate.status = 'inactive';
  store.recordEvent('mandate.updated', mandate, mandate.livemode, store.timeOf(method.customer), {
    status: 'active',
  });
  return mandate;
}

function newMandate(
  paymentMethodId: string,
  type: 'sepa_debit' | 'us_bank_account',
  livemode: boolean,
): StoredMandate {
  return {
    id: newId('mandate'),
    object: 'mandate',
    customer_acceptance: { accepted_at: null, type: 'offline', offline: {} },
    livemode,
    multi_use: {},
    payment_method: paymentMethodId,
    payment_method_details:
      type === 'sepa_debit'
        ? { type, sepa_debit: { reference: 'STANDIN-MANDATE', url: 'https://stripe.com/mandate' } }
        : { type, us_bank_account: {} },
    status: 'active',
    type: 'multi_use',
  } as StoredMandate;
}

export const mandateRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/mandates/:id',
    contract: { params: 'MandateRetrieveParams', response: 'Mandate' },
    handle({ pathParams, store }) {
      const mandate = mandatesOf(store).get(pathParams.id ?? '');
      if (mandate === undefined) throw resourceMissing('mandate', pathParams.id ?? '', 'id');
      return { body: mandate, effect: false };
    },
  },
];
