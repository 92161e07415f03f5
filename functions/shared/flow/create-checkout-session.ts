import type { CheckoutConfig } from '../config';
import { ServiceError, StripeRequestFailed } from '../errors';
import type { CheckoutUi, CreatedSetupSession, StripeGateway, SubscriptionSnapshot } from '../ports';
import { setupMetadata } from '../setup-metadata';
import type { SetupProof } from '../setup-proof';

export interface CheckoutSessionRequest {
  customerId: string;
  subscriptionId?: string;
  successUrl?: string;
  cancelUrl?: string;
  currency?: string;
  /** `embedded_page`: Checkout inside the integrator's page (Stripe.js), returning to `returnUrl`. */
  uiMode?: 'hosted_page' | 'embedded_page';
  returnUrl?: string;
  /** The update link the session is opened from (written in its metadata). */
  updateLinkId?: string;
}

export interface CreateCheckoutSessionDeps {
  stripe: StripeGateway;
  checkout: CheckoutConfig;
  setupProof: SetupProof;
  now?: () => number;
}

/** Stripe replaces this template variable with the session id when it redirects the customer back. */
export const SESSION_ID_TEMPLATE = '{CHECKOUT_SESSION_ID}';

/**
 * Creates a setup-mode Checkout Session for the calling customer, optionally to update one of their
 * subscriptions. The subscription is checked first: nobody may point another customer's subscription
 * at their card.
 */
export async function createCheckoutSession(
  deps: CreateCheckoutSessionDeps,
  request: CheckoutSessionRequest,
): Promise<CreatedSetupSession> {
  const subscription = request.subscriptionId
    ? await subscriptionOf(deps.stripe, request.subscriptionId, request.customerId)
    : undefined;
  const proof = await deps.setupProof.sign(request.customerId, request.subscriptionId, request.updateLinkId);
  return deps.stripe.createSetupSession({
    customerId: request.customerId,
    subscriptionId: request.subscriptionId,
    ...checkoutUi(deps.checkout, request),
    ...(subscription
      ? methodsFor(subscription, request.currency)
      : { currency: request.currency ?? deps.checkout.currency }),
    expiresAt: checkoutExpiresAt((deps.now ?? Date.now)(), deps.checkout.sessionMinutes),
    metadata: setupMetadata(request.customerId, request.subscriptionId, proof, request.updateLinkId),
  });
}

/**
 * Embedded Checkout has no success or cancel page of its own: Stripe sends the customer to `return_url`,
 * filling in `{CHECKOUT_SESSION_ID}` as for `success_url` ("Customize redirect behavior",
 * https://docs.stripe.com/payments/checkout/custom-success-page?payment-ui=embedded-form). Without one,
 * the configured success page is where it returns.
 */
function checkoutUi(
  checkout: CheckoutConfig,
  request: Pick<CheckoutSessionRequest, 'uiMode' | 'successUrl' | 'cancelUrl' | 'returnUrl'>,
): CheckoutUi {
  if (request.uiMode === 'embedded_page') {
    return {
      uiMode: 'embedded_page',
      returnUrl: withSessionIdParameter(request.returnUrl ?? checkout.successUrl),
    };
  }
  return {
    uiMode: 'hosted_page',
    successUrl: withSessionIdParameter(request.successUrl ?? checkout.successUrl),
    cancelUrl: request.cancelUrl ?? checkout.cancelUrl,
  };
}

/**
 * Stripe's default is 24 hours, long enough for a forwarded or leaked link to be finished by someone
 * else. Stripe measures the 30-minute floor from when it creates the session, a moment after this clock
 * reads, so a minute's margin keeps the shortest setting from being refused; the 24-hour ceiling keeps it.
 */
export function checkoutExpiresAt(nowMs: number, minutes: number): number {
  const margin = 60;
  const nowSeconds = Math.floor(nowMs / 1000);
  return Math.min(nowSeconds + minutes * 60 + margin, nowSeconds + 24 * 3600 - margin);
}

/**
 * A setup for a subscription collects a method that subscription can charge. Checkout in setup mode offers
 * the methods that fit the session's currency (SEPA Debit only in EUR, Bacs only in GBP: "Set up future
 * payments", https://docs.stripe.com/payments/save-and-reuse?platform=checkout), so the session takes the
 * subscription's currency, and, when its `payment_settings.payment_method_types` restricts what its invoices
 * may be paid with, only those types — otherwise a method the subscription cannot use could be saved and
 * made the customer's default before Stripe refuses it on the subscription.
 */
function methodsFor(
  subscription: SubscriptionSnapshot,
  requestedCurrency: string | undefined,
): { currency: string; allowedPaymentMethodTypes?: string[] } {
  if (requestedCurrency && requestedCurrency.toLowerCase() !== subscription.currency) {
    throw new ServiceError(
      400,
      'currency_mismatch',
      `Subscription ${subscription.id} is billed in ${subscription.currency}, not ${requestedCurrency.toLowerCase()}.`,
    );
  }
  const types = subscription.paymentMethodTypes;
  if (!types || types.length === 0) return { currency: subscription.currency };
  const saveable = checkoutSaveableTypes(types);
  if (saveable.length === 0) {
    throw new ServiceError(
      409,
      'subscription_methods_not_saveable',
      `Subscription ${subscription.id} is paid only by ${types.join(', ')}, which Checkout cannot save as a payment method.`,
    );
  }
  return { currency: subscription.currency, allowedPaymentMethodTypes: saveable };
}

/**
 * The types a subscription's `payment_settings.payment_method_types` may name that Checkout can offer
 * (`Checkout.SessionCreateParams.AllowedPaymentMethodType` in Checkout/Sessions.d.ts) and save in setup mode.
 * A subscription may also name `ach_credit_transfer`, `ach_debit`, `custom`, `jp_credit_transfer`,
 * `sepa_credit_transfer` and `customer_balance` (Subscriptions.d.ts `PaymentMethodType`): none is a method a
 * customer saves (credit transfers and the balance are paid into, `custom` is the merchant's own), so they are
 * left out of the offer rather than sent for Stripe to refuse.
 */
const CHECKOUT_SAVEABLE_TYPES: ReadonlySet<string> = new Set([
  'acss_debit',
  'affirm',
  'afterpay_clearpay',
  'alipay',
  'alma',
  'amazon_pay',
  'au_becs_debit',
  'bacs_debit',
  'bancontact',
  'billie',
  'bizum',
  'blik',
  'boleto',
  'card',
  'cashapp',
  'crypto',
  'eps',
  'fpx',
  'giropay',
  'grabpay',
  'ideal',
  'kakao_pay',
  'klarna',
  'konbini',
  'kr_card',
  'link',
  'mb_way',
  'mobilepay',
  'multibanco',
  'naver_pay',
  'nz_bank_account',
  'oxxo',
  'p24',
  'pay_by_bank',
  'payco',
  'paynow',
  'paypal',
  'paypay',
  'payto',
  'pix',
  'promptpay',
  'revolut_pay',
  'samsung_pay',
  'satispay',
  'scalapay',
  'sepa_debit',
  'sequra',
  'sofort',
  'sunbit',
  'swish',
  'twint',
  'upi',
  'us_bank_account',
  'wechat_pay',
  'zip',
]);

export function checkoutSaveableTypes(subscriptionTypes: readonly string[]): string[] {
  return subscriptionTypes.filter((type) => CHECKOUT_SAVEABLE_TYPES.has(type));
}

async function subscriptionOf(
  stripe: StripeGateway,
  subscriptionId: string,
  customerId: string,
): Promise<SubscriptionSnapshot> {
  const subscription = await stripe.retrieveSubscription(subscriptionId).catch((error: unknown) => {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found') {
      throw new ServiceError(404, 'subscription_not_found', `Subscription ${subscriptionId} does not exist.`);
    }
    throw error;
  });
  if (subscription.customerId !== customerId) {
    throw new ServiceError(
      403,
      'subscription_not_owned',
      `Subscription ${subscriptionId} does not belong to the caller.`,
    );
  }
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw new ServiceError(
      409,
      'subscription_inactive',
      `Subscription ${subscriptionId} is ${subscription.status}.`,
    );
  }
  return subscription;
}

/**
 * Appends `session_id={CHECKOUT_SESSION_ID}` (unless the URL already carries the template) so the success
 * page can look the session up. Built as text: URL serialisation would percent-encode the braces, and
 * Stripe only substitutes the literal template.
 */
export function withSessionIdParameter(successUrl: string): string {
  if (successUrl.includes(SESSION_ID_TEMPLATE)) return successUrl;
  const hashAt = successUrl.indexOf('#');
  const base = hashAt === -1 ? successUrl : successUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : successUrl.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}session_id=${SESSION_ID_TEMPLATE}${fragment}`;
}
