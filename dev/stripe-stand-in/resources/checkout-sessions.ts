import { invalidRequest, parameterMissing, resourceMissing } from '../errors';
import type { Params } from '../form-encoding';
import { newId, nowSeconds, randomBase62 } from '../ids';
import { paginate } from '../list';
import {
  applyMetadata,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringArray,
  requiredString,
} from '../params';
import type { ApiContext, ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredCheckoutSession } from '../types';
import { unmodelledSessionFields } from './checkout-session-fields';
import { createSetupIntent } from './setup-intents';

const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;

/** Checks the cross-parameter rules Stripe enforces on session creation. */
function validateCreate(params: Params, mode: string, uiMode: string, now: number): void {
  if (params.customer !== undefined && params.customer_email !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', {
      param: 'customer_email',
      code: 'parameters_exclusive',
    });
  }
  if (mode === 'setup') {
    if (params.line_items !== undefined) {
      throw invalidRequest('You can not pass `line_items` in `setup` mode.', { param: 'line_items' });
    }
    if (params.currency === undefined && params.allowed_payment_method_types === undefined) {
      throw parameterMissing('currency');
    }
  } else {
    if (params.line_items === undefined) throw parameterMissing('line_items');
    if (params.setup_intent_data !== undefined) {
      throw invalidRequest('You can only pass `setup_intent_data` in `setup` mode.', {
        param: 'setup_intent_data',
      });
    }
  }
  if (uiMode === 'hosted_page') {
    if (params.success_url === undefined) requiredString(params, 'success_url');
  } else {
    for (const param of ['success_url', 'cancel_url'] as const) {
      if (params[param] !== undefined) {
        throw invalidRequest(
          `\`${param}\` is not supported when \`ui_mode\` is \`${uiMode}\`; use \`return_url\`.`,
          {
            param,
          },
        );
      }
    }
    if (params.return_url === undefined && optionalString(params, 'redirect_on_completion') !== 'never') {
      throw parameterMissing('return_url');
    }
  }
  if (params.customer_update !== undefined && params.customer === undefined) {
    throw invalidRequest('`customer_update` can only be used with `customer`.', { param: 'customer_update' });
  }
  const expiresAt = optionalInteger(params, 'expires_at');
  if (
    expiresAt !== undefined &&
    (expiresAt < now + MIN_EXPIRY_SECONDS || expiresAt > now + MAX_EXPIRY_SECONDS)
  ) {
    throw invalidRequest(
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
      { param: 'expires_at' },
    );
  }
}

function paymentMethodTypes(params: Params): string[] {
  const excluded = optionalStringArray(params, 'excluded_payment_method_types') ?? [];
  const allowed = optionalStringArray(params, 'allowed_payment_method_types') ?? ['card'];
  return allowed.filter((type) => !excluded.includes(type));
}

const ALLOW_REDISPLAY = ['always', 'limited', 'unspecified'] as const;

/** `payment_method_data.allow_redisplay` (Checkout/Sessions.d.ts: always, limited or unspecified). */
function paymentMethodDataAllowRedisplay(params: Params): (typeof ALLOW_REDISPLAY)[number] | undefined {
  const data = optionalObject(params, 'payment_method_data');
  const value = data === undefined ? undefined : optionalString(data, 'allow_redisplay');
  if (value === undefined) return undefined;
  const known = ALLOW_REDISPLAY.find((allowed) => allowed === value);
  if (known === undefined) {
    throw invalidRequest(
      `Invalid payment_method_data[allow_redisplay]: must be one of ${ALLOW_REDISPLAY.join(', ')}`,
      { param: 'payment_method_data[allow_redisplay]' },
    );
  }
  return known;
}

function createSession({ params, store, livemode, baseUrl }: ApiContext): StoredCheckoutSession {
  const mode = requiredString(params, 'mode') as StoredCheckoutSession['mode'];
  const uiMode = optionalString(params, 'ui_mode') ?? 'hosted_page';
  const now = nowSeconds();
  validateCreate(params, mode, uiMode, now);
  const customerId = optionalString(params, 'customer');
  if (customerId !== undefined) store.requireLiveCustomer(customerId, 'customer');
  const id = newId(livemode ? 'cs_live' : 'cs_test');
  const types = paymentMethodTypes(params);
  const setupIntentData = optionalObject(params, 'setup_intent_data') ?? {};
  const setupIntent =
    mode === 'setup'
      ? createSetupIntent(store, {
          customer: customerId ?? null,
          description: optionalString(setupIntentData, 'description') ?? null,
          metadata: applyMetadata({}, setupIntentData.metadata),
          onBehalfOf: optionalString(setupIntentData, 'on_behalf_of') ?? null,
          paymentMethodTypes: types,
          livemode,
        })
      : undefined;
  const acssOptions = optionalObject(optionalObject(params, 'payment_method_options') ?? {}, 'acss_debit');
  const mandateOptions =
    acssOptions === undefined ? undefined : optionalObject(acssOptions, 'mandate_options');
  const defaultFor =
    mandateOptions === undefined ? undefined : optionalStringArray(mandateOptions, 'default_for');
  if (defaultFor !== undefined) store.acssMandateDefaultFor.set(id, defaultFor);
  const allowRedisplay = paymentMethodDataAllowRedisplay(params);
  if (allowRedisplay !== undefined) store.checkoutAllowRedisplay.set(id, allowRedisplay);
  const configuration = optionalString(params, 'payment_method_configuration');
  const session: StoredCheckoutSession = {
    ...unmodelledSessionFields(),
    id,
    object: 'checkout.session',
    allow_promotion_codes:
      params.allow_promotion_codes === undefined ? null : params.allow_promotion_codes === 'true',
    allowed_payment_method_types: optionalStringArray(params, 'allowed_payment_method_types') ?? null,
    amount_subtotal: null,
    amount_total: null,
    billing_address_collection: optionalString(params, 'billing_address_collection') ?? null,
    cancel_url: optionalString(params, 'cancel_url') ?? null,
    client_reference_id: optionalString(params, 'client_reference_id') ?? null,
    client_secret: uiMode === 'hosted_page' ? null : `${id}_secret_${randomBase62(24)}`,
    created: now,
    currency: optionalString(params, 'currency')?.toLowerCase() ?? null,
    customer: customerId ?? null,
    customer_details: null,
    customer_email: optionalString(params, 'customer_email') ?? null,
    expires_at: optionalInteger(params, 'expires_at') ?? now + MAX_EXPIRY_SECONDS,
    invoice: null,
    livemode,
    locale: optionalString(params, 'locale') ?? null,
    metadata: applyMetadata({}, params.metadata),
    mode,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details:
      configuration === undefined ? null : { id: configuration, parent: null },
    payment_method_types: types,
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    setup_intent: setupIntent?.id ?? null,
    status: 'open',
    subscription: null,
    success_url: optionalString(params, 'success_url') ?? null,
    ui_mode: uiMode,
    url: uiMode === 'hosted_page' ? `${baseUrl}/checkout/${id}` : null,
  };
  const returnUrl = optionalString(params, 'return_url');
  if (returnUrl !== undefined) session.return_url = returnUrl;
  store.checkoutSessions.set(id, session);
  return session;
}

export function sessionFromPath(store: StandInStore, id: string | undefined): StoredCheckoutSession {
  const session = store.checkoutSessions.get(id ?? '');
  if (session === undefined) throw resourceMissing('checkout.session', id ?? '', 'id');
  return session;
}

export const checkoutSessionRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/checkout/sessions',
    contract: { params: 'CheckoutSessionCreateParams', response: 'CheckoutSession' },
    handle(context) {
      return { body: createSession(context), effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions/:id',
    contract: { params: 'CheckoutSessionRetrieveParams', response: 'CheckoutSession' },
    handle({ pathParams, store }) {
      return { body: sessionFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions',
    contract: { params: 'CheckoutSessionListParams', response: 'CheckoutSessionList' },
    handle({ params, store }) {
      const customer = optionalString(params, 'customer');
      const status = optionalString(params, 'status');
      const candidates = [...store.checkoutSessions.values()].filter(
        (s) =>
          (customer === undefined || s.customer === customer) &&
          (status === undefined || s.status === status),
      );
      return {
        body: paginate(candidates, params, '/v1/checkout/sessions', 'checkout.session'),
        effect: false,
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/checkout/sessions/:id/expire',
    contract: { params: 'CheckoutSessionExpireParams', response: 'CheckoutSession' },
    handle({ pathParams, store }) {
      const session = sessionFromPath(store, pathParams.id);
      if (session.status !== 'open') {
        throw invalidRequest(
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
        );
      }
      session.status = 'expired';
      session.url = null;
      const setupIntent =
        session.setup_intent === null ? undefined : store.setupIntents.get(session.setup_intent);
      if (setupIntent !== undefined) {
        setupIntent.status = 'canceled';
        setupIntent.cancellation_reason = 'abandoned';
      }
      store.recordEvent('checkout.session.expired', session, session.livemode);
      return { body: session, effect: true };
    },
  },
];
