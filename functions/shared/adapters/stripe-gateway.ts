import Stripe from 'stripe';
import { StripeRequestFailed } from '../errors';
import type {
  CardDetails,
  CheckoutSessionSnapshot,
  CurrentDefault,
  PaymentMethodSummary,
  SetupIntentSnapshot,
  StripeGateway,
} from '../ports';
import { invoiceOperations, payInvoiceWith } from './stripe-invoices';
import { paymentMethodOperations } from './stripe-payment-methods';
import { alignSchedule } from './stripe-schedules';

/** The flow's Stripe operations on the official SDK; every SDK error leaves here as a StripeRequestFailed. */
export interface StripeGatewayOptions {
  /**
   * At most this many pages of a customer's subscriptions (100 each) per listing: a request-time read must
   * cost a bounded number of Stripe calls (unbounded for the worker, which must see every subscription).
   */
  maxSubscriptionPages?: number;
}

export function createStripeGateway(
  stripeClient: () => Promise<Stripe>,
  options: StripeGatewayOptions = {},
): StripeGateway {
  return {
    ...paymentMethodOperations(stripeClient, options),
    ...invoiceOperations(stripeClient),
    createSetupSession: (params) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        const { metadata } = params;
        const session = await stripe.checkout.sessions.create({
          mode: 'setup',
          customer: params.customerId,
          currency: params.currency,
          ...(params.uiMode === 'embedded_page'
            ? { ui_mode: 'embedded_page' as const, return_url: params.returnUrl }
            : { success_url: params.successUrl, cancel_url: params.cancelUrl }),
          expires_at: params.expiresAt,
          // The guide passes the subscription through the SetupIntent's metadata; the session's own metadata
          // carries the customer too, so the webhook knows whose setup it is from the event alone.
          setup_intent_data: { metadata },
          metadata,
          // Checkout shows a returning customer only `always` methods by default, and this is "set on the
          // payment method on confirmation" (payment_method_data.allow_redisplay, Checkout/Sessions.d.ts): the
          // worker then has no update of its own to make, one Stripe write less per setup.
          payment_method_data: { allow_redisplay: 'always' },
          ...(params.allowedPaymentMethodTypes
            ? {
                allowed_payment_method_types:
                  params.allowedPaymentMethodTypes as Stripe.Checkout.SessionCreateParams.AllowedPaymentMethodType[],
              }
            : {}),
          ...acssMandateOptions(params.currency, params.allowedPaymentMethodTypes),
        });
        if (params.uiMode === 'embedded_page') {
          if (!session.client_secret)
            throw new StripeRequestFailed(
              'invalid_request',
              'Stripe returned a session without a client secret',
            );
          return { id: session.id, clientSecret: session.client_secret };
        }
        if (!session.url)
          throw new StripeRequestFailed('invalid_request', 'Stripe returned a session without a URL');
        return { id: session.id, url: session.url };
      }),

    retrieveSubscription: (subscriptionId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        const subscription = await stripe.subscriptions.retrieve(subscriptionId);
        return {
          id: subscription.id,
          customerId: idOf(subscription.customer) ?? '',
          status: subscription.status,
          currency: subscription.currency,
          paymentMethodTypes: subscription.payment_settings?.payment_method_types ?? null,
        };
      }),

    retrieveSetupSession: async (sessionId, beforeRequest) => {
      await beforeRequest?.();
      return translateErrors(async () => {
        const stripe = await stripeClient();
        const session = await stripe.checkout.sessions.retrieve(sessionId, {
          expand: ['setup_intent', 'setup_intent.payment_method'],
        });
        return toSessionSnapshot(session);
      });
    },

    retrieveSetupIntent: (setupIntentId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // The customer's current default comes in the same request: the worker's rollback check needs it.
        const intent = await stripe.setupIntents.retrieve(setupIntentId, {
          expand: ['payment_method', 'latest_attempt', 'customer.invoice_settings.default_payment_method'],
        });
        const snapshot = toSetupIntentSnapshot(intent) as SetupIntentSnapshot;
        const customer = intent.customer;
        if (customer && typeof customer !== 'string') {
          if (customer.deleted) snapshot.customerDeleted = true;
          snapshot.customerDefault = customer.deleted
            ? null
            : toCurrentDefault(customer.invoice_settings?.default_payment_method ?? null);
        }
        return snapshot;
      }),

    setupSucceededAt: (eventId, setupIntentId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // Read back, not taken from the queue message: the message is evidence, the event is Stripe's word.
        const event = await stripe.events.retrieve(eventId);
        if (event.type !== 'setup_intent.succeeded' || event.data.object.id !== setupIntentId)
          return undefined;
        return event.created;
      }),

    async *listCompletedSetupSessions(createdSince) {
      let startingAfter: string | undefined;
      for (;;) {
        const page = await translateErrors(async () => {
          const stripe = await stripeClient();
          return stripe.checkout.sessions.list({
            created: { gte: createdSince },
            status: 'complete',
            limit: 100,
            expand: ['data.setup_intent'],
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          });
        });
        for (const session of page.data) {
          if (session.mode === 'setup') yield toSessionSnapshot(session);
        }
        const last = page.data.at(-1);
        if (!page.has_more || !last) return;
        startingAfter = last.id;
      }
    },

    attachPaymentMethod: (paymentMethodId, customerId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        await stripe.paymentMethods.attach(paymentMethodId, { customer: customerId });
      }),

    allowRedisplay: (paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        await stripe.paymentMethods.update(paymentMethodId, { allow_redisplay: 'always' });
      }),

    setCustomerDefaultPaymentMethod: (customerId, paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        await stripe.customers.update(customerId, {
          invoice_settings: { default_payment_method: paymentMethodId },
        });
      }),

    payIncompleteSubscription: (subscriptionId, paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        const subscription = await stripe.subscriptions.retrieve(subscriptionId, {
          expand: ['latest_invoice'],
        });
        const invoice = subscription.latest_invoice;
        // Subscriptions.d.ts: an `incomplete` subscription "can only have metadata and default_source
        // updated. Once the first invoice is paid, the subscription moves into an active status."
        if (subscription.status !== 'incomplete' || !invoice || typeof invoice === 'string') return null;
        if (invoice.status !== 'open' || !invoice.id) return null;
        return payInvoiceWith(
          stripe,
          { id: invoice.id, attemptCount: invoice.attempt_count },
          paymentMethodId,
          `first-invoice-payment:${paymentMethodId}`,
        );
      }),

    currentDefaultPaymentMethod: (target) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // Expanded: the rollback check compares when the method in place was created.
        if (target.kind === 'subscription') {
          const subscription = await stripe.subscriptions.retrieve(target.id, {
            expand: ['default_payment_method'],
          });
          return toCurrentDefault(subscription.default_payment_method);
        }
        const customer = await stripe.customers.retrieve(target.id, {
          expand: ['invoice_settings.default_payment_method'],
        });
        return customer.deleted
          ? null
          : toCurrentDefault(customer.invoice_settings?.default_payment_method ?? null);
      }),

    isCustomerDeleted: (customerId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        return (await stripe.customers.retrieve(customerId)).deleted === true;
      }),

    setSubscriptionDefaultPaymentMethod: (subscriptionId, paymentMethodId) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        // The schedule comes back in the same answer: a subscription on one would take the next phase's
        // method when that phase starts, so its phases to come are made to name this one too.
        const updated = await stripe.subscriptions.update(subscriptionId, {
          default_payment_method: paymentMethodId,
          expand: ['schedule'],
        });
        await alignSchedule(stripe, updated.schedule, paymentMethodId);
      }),

    replaceScheduledPaymentMethod: (subscriptionId, to, from) =>
      translateErrors(async () => {
        const stripe = await stripeClient();
        const subscription = await stripe.subscriptions.retrieve(subscriptionId, { expand: ['schedule'] });
        await alignSchedule(stripe, subscription.schedule, to, from);
      }),
  };
}

/**
 * Canadian pre-authorized debits are debited under a mandate, and invoices use one only when it says so: a
 * session that may offer `acss_debit` (CAD or USD, unless its types leave it out) asks for a mandate
 * `default_for` invoices and subscriptions (`payment_method_options.acss_debit.mandate_options` in
 * Checkout/Sessions.d.ts; https://docs.stripe.com/payments/acss-debit/set-up-payment).
 */
function acssMandateOptions(
  currency: string | undefined,
  types: readonly string[] | undefined,
): Pick<Stripe.Checkout.SessionCreateParams, 'payment_method_options'> {
  const lowered = currency?.toLowerCase();
  if ((lowered !== 'cad' && lowered !== 'usd') || (types && !types.includes('acss_debit'))) return {};
  return {
    payment_method_options: {
      acss_debit: {
        currency: lowered,
        mandate_options: { default_for: ['invoice', 'subscription'] },
      },
    },
  };
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function toCurrentDefault(value: string | Stripe.PaymentMethod | null): CurrentDefault | null {
  if (!value) return null;
  // Not expanded (should not happen): its age is unknown, so it counts as brand new and is not replaced.
  if (typeof value === 'string') return { paymentMethodId: value, created: Number.MAX_SAFE_INTEGER };
  return { paymentMethodId: value.id, created: value.created };
}

function toPaymentMethodSummary(value: string | Stripe.PaymentMethod | null): PaymentMethodSummary | null {
  if (!value) return null;
  if (typeof value === 'string') return { id: value, type: 'unknown' };
  return {
    id: value.id,
    type: value.type,
    ...(value.card ? { card: cardDetailsOf(value.card) } : {}),
    ...(value.allow_redisplay ? { allowRedisplay: value.allow_redisplay } : {}),
  };
}

export function cardDetailsOf(card: Stripe.PaymentMethod.Card): CardDetails {
  return { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year };
}

function toSetupIntentSnapshot(value: string | Stripe.SetupIntent | null): SetupIntentSnapshot | null {
  if (!value) return null;
  if (typeof value === 'string') {
    return { id: value, status: 'unknown', created: 0, customerId: null, paymentMethod: null, metadata: {} };
  }
  const snapshot: SetupIntentSnapshot = {
    id: value.id,
    status: value.status,
    created: value.created,
    customerId: idOf(value.customer),
    paymentMethod: toPaymentMethodSummary(value.payment_method),
    metadata: { ...(value.metadata ?? {}) },
  };
  const attempt = value.latest_attempt;
  if (attempt && typeof attempt !== 'string' && attempt.status === 'succeeded') {
    snapshot.succeededAt = attempt.created;
    const generated = generatedSepaDebitOf(attempt);
    if (generated) snapshot.paymentMethod = { id: generated, type: 'sepa_debit' };
  }
  const error = value.last_setup_error;
  if (error) {
    snapshot.lastSetupError = {
      ...(error.code ? { code: error.code } : {}),
      ...(error.decline_code ? { declineCode: error.decline_code } : {}),
      ...(error.message ? { message: error.message } : {}),
    };
  }
  return snapshot;
}

/**
 * iDEAL, Bancontact and Sofort are single-use: the SetupIntent carries that method, and the one that can be
 * charged again is the SEPA Direct Debit method Stripe generates and attaches
 * (`SetupAttempt.payment_method_details.<type>.generated_sepa_debit` in SetupAttempts.d.ts;
 * https://docs.stripe.com/payments/ideal/set-up-payment). That one becomes the default.
 */
function generatedSepaDebitOf(attempt: Stripe.SetupAttempt): string | null {
  const details = attempt.payment_method_details;
  const redirect = details.ideal ?? details.bancontact ?? details.sofort;
  return idOf(redirect?.generated_sepa_debit);
}

function toSessionSnapshot(session: Stripe.Checkout.Session): CheckoutSessionSnapshot {
  return {
    id: session.id,
    mode: session.mode,
    status: session.status,
    customerId: idOf(session.customer),
    metadata: { ...(session.metadata ?? {}) },
    created: session.created,
    livemode: session.livemode,
    setupIntent: toSetupIntentSnapshot(session.setup_intent),
  };
}

export async function translateErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof Stripe.errors.StripeError ? fromStripeError(error) : error;
  }
}

function fromStripeError(error: Stripe.errors.StripeError): StripeRequestFailed {
  const make = (kind: StripeRequestFailed['kind']) =>
    new StripeRequestFailed(kind, error.message, error.code, error.param);
  if (error instanceof Stripe.errors.StripeRateLimitError) return make('rate_limited');
  // A 409 (a key whose first request is still in flight, or another concurrent request) is a conflict the
  // next attempt resolves. A 400 `idempotency_error` (a key reused with other parameters) is refused the same
  // way every time it is sent again (https://docs.stripe.com/api/idempotent_requests): a bad request.
  if (error.statusCode === 409) return make('conflict');
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new StripeRequestFailed('invalid_request', error.message, 'idempotency_error', error.param);
  }
  if (error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError) {
    return make('unavailable');
  }
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    return make('misconfigured');
  }
  if (error.statusCode === 404 || error.code === 'resource_missing') return make('not_found');
  if (error.statusCode !== undefined && error.statusCode >= 500) return make('unavailable');
  return make('invalid_request');
}
