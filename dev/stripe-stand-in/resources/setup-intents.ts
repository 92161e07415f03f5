import { invalidRequest, resourceMissing } from '../errors';
import { newId, nowSeconds, randomBase62 } from '../ids';
import { paginate } from '../list';
import { optionalString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { Metadata, StoredSetupIntent } from '../types';

const CANCELABLE_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

export function createSetupIntent(
  store: StandInStore,
  fields: {
    customer: string | null;
    description: string | null;
    metadata: Metadata;
    onBehalfOf: string | null;
    paymentMethodTypes: string[];
    livemode: boolean;
  },
): StoredSetupIntent {
  const id = newId('seti');
  const setupIntent: StoredSetupIntent = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomBase62(24)}`,
    created: nowSeconds(),
    customer: fields.customer,
    description: fields.description,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: fields.livemode,
    mandate: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: fields.onBehalfOf,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: fields.paymentMethodTypes,
    excluded_payment_method_types: null,
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: 'off_session',
  };
  store.setupIntents.set(id, setupIntent);
  store.recordEvent('setup_intent.created', setupIntent, fields.livemode);
  return setupIntent;
}

function setupIntentFromPath(store: StandInStore, id: string | undefined): StoredSetupIntent {
  const setupIntent = store.setupIntents.get(id ?? '');
  if (setupIntent === undefined) throw resourceMissing('setupintent', id ?? '', 'id');
  return setupIntent;
}

export const setupIntentRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/setup_intents/:id',
    contract: { params: 'SetupIntentRetrieveParams', response: 'SetupIntent' },
    handle({ pathParams, store }) {
      return { body: setupIntentFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'GET',
    path: '/v1/setup_intents',
    contract: { params: 'SetupIntentListParams', response: 'SetupIntentList' },
    handle({ params, store }) {
      const customer = optionalString(params, 'customer');
      const paymentMethod = optionalString(params, 'payment_method');
      const candidates = [...store.setupIntents.values()].filter(
        (si) =>
          (customer === undefined || si.customer === customer) &&
          (paymentMethod === undefined || si.payment_method === paymentMethod),
      );
      return { body: paginate(candidates, params, '/v1/setup_intents', 'setupintent'), effect: false };
    },
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/cancel',
    contract: { params: 'SetupIntentCancelParams', response: 'SetupIntent' },
    handle({ params, pathParams, store }) {
      const setupIntent = setupIntentFromPath(store, pathParams.id);
      if (!CANCELABLE_STATUSES.includes(setupIntent.status)) {
        throw invalidRequest(
          `You cannot cancel this SetupIntent because it has a status of ${setupIntent.status}. Only a SetupIntent with one of the following statuses may be canceled: ${CANCELABLE_STATUSES.join(', ')}.`,
          { code: 'setup_intent_unexpected_state' },
        );
      }
      setupIntent.status = 'canceled';
      setupIntent.cancellation_reason = optionalString(params, 'cancellation_reason') ?? null;
      setupIntent.next_action = null;
      return { body: setupIntent, effect: true };
    },
  },
];
