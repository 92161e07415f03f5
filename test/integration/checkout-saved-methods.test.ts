import type Stripe from 'stripe';
import type { CheckoutMethodType } from '../../dev/stripe-stand-in/types';
import { completeSession } from '../support/checkout';
import { send } from '../support/http';
import { savedMethodRequests } from '../support/saved-methods';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/*
 * What Checkout saves besides cards and SEPA, and how the service lists it. Oracles:
 * - Link: https://docs.stripe.com/payments/link/checkout-link; PayPal (EUR, GBP, USD, CHF, CZK, DKK, NOK, PLN,
 *   SEK): https://docs.stripe.com/payments/paypal/set-up-future-payments; `PaymentMethod.Link.email`,
 *   `PaymentMethod.Paypal.payer_email` in PaymentMethods.d.ts.
 * - ACSS Debit (CAD, USD; a mandate, `default_for` as the session asked):
 *   https://docs.stripe.com/payments/acss-debit/set-up-payment; Bacs (GBP; the mandate `pending` until Bacs
 *   accepts it): https://docs.stripe.com/payments/bacs-debit/set-up-payment; `Mandate.PaymentMethodDetails` in
 *   Mandates.d.ts.
 * - `allow_redisplay` (PaymentMethods.d.ts): Checkout shows a returning customer only `always` methods by
 *   default (`saved_payment_method_options.allow_redisplay_filters` in Checkout/Sessions.d.ts).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack();
});
afterAll(() => stack.close());

const { api, createSession } = savedMethodRequests(() => stack);

async function sdkSession(currency: string, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const customer = await stack.stripe.customers.create({ email: 'jenny@example.com' });
  const session = await stack.stripe.checkout.sessions.create({
    mode: 'setup',
    currency,
    customer: customer.id,
    success_url: 'https://app.example.com/done',
    ...extra,
  });
  return { customer: customer.id, session: session.id };
}

describe('the stand-in’s Checkout saves Link, PayPal, ACSS and Bacs, each in its currencies', () => {
  it.each([
    ['link', 'usd', { link: { email: 'jenny@example.com' } }],
    [
      'paypal',
      'eur',
      { paypal: { payer_email: 'jenny@example.com', country: 'DE', payer_id: expect.any(String) } },
    ],
  ] as const)('%s in %s: saved at once, known by its email', async (method, currency, details) => {
    const { customer, session } = await sdkSession(currency);
    const completed = await completeSession(stack.stripeStandIn, session, { method });
    expect(completed.setupIntent.status).toBe('succeeded');
    const saved = await stack.stripe.paymentMethods.retrieve(completed.paymentMethod.id);
    expect(saved).toMatchObject({ type: method, customer, ...details });
  });

  it('ACSS in CAD: a mandate default for invoices and subscriptions, processing until the bank confirms', async () => {
    const { session } = await sdkSession('cad', {
      payment_method_options: {
        acss_debit: { currency: 'cad', mandate_options: { default_for: ['invoice', 'subscription'] } },
      },
    });
    const completed = await completeSession(stack.stripeStandIn, session, { method: 'acss_debit' });
    const intent = await stack.stripe.setupIntents.retrieve(completed.setupIntent.id);
    expect(intent.status).toBe('processing');
    const mandateId = typeof intent.mandate === 'string' ? intent.mandate : '';
    expect(await stack.stripe.mandates.retrieve(mandateId)).toMatchObject({
      status: 'pending',
      payment_method: completed.paymentMethod.id,
      payment_method_details: {
        type: 'acss_debit',
        acss_debit: { default_for: ['invoice', 'subscription'] },
      },
    });
    await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded');
    expect((await stack.stripe.mandates.retrieve(mandateId)).status).toBe('active');
  });

  it('Bacs in GBP: the mandate pending until Bacs accepts it', async () => {
    const { session } = await sdkSession('gbp');
    const completed = await completeSession(stack.stripeStandIn, session, { method: 'bacs_debit' });
    const mandateId = completed.setupIntent.mandate ?? '';
    expect((await stack.stripe.mandates.retrieve(mandateId)).payment_method_details).toMatchObject({
      type: 'bacs_debit',
      bacs_debit: { network_status: 'pending' },
    });
    await stack.stripeStandIn.settleSetupIntent(completed.setupIntent.id, 'succeeded');
    expect(await stack.stripe.mandates.retrieve(mandateId)).toMatchObject({
      status: 'active',
      payment_method_details: { bacs_debit: { network_status: 'accepted' } },
    });
  });

  it.each([
    ['bacs_debit', 'eur'],
    ['acss_debit', 'eur'],
    ['paypal', 'jpy'],
  ] as const)('%s is not offered in %s', async (method: CheckoutMethodType, currency) => {
    const { session } = await sdkSession(currency);
    await expect(stack.stripeStandIn.completeCheckoutSession(session, { method })).rejects.toThrow(
      /not offered/,
    );
  });
});

describe('the service lists Link and PayPal by their email, and makes what it saves redisplayable', () => {
  it('a Link saved through the service is listed with its email and allow_redisplay always; a limited method is listed as such', async () => {
    const customer = await stack.stripe.customers.create({ email: 'jenny@example.com' });
    const limited = await stack.stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_visa' },
      allow_redisplay: 'limited',
    });
    await stack.stripe.paymentMethods.attach(limited.id, { customer: customer.id });

    const sessionId = await createSession(customer.id);
    const completed = await completeSession(stack.stripeStandIn, sessionId, { method: 'link' });
    await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
    await stack.drainQueue({ retryDelaySeconds: 0 });

    expect((await stack.stripe.paymentMethods.retrieve(completed.paymentMethod.id)).allow_redisplay).toBe(
      'always',
    );
    const listed = await send(api(`/payment-methods?customer=${customer.id}`));
    expect(listed.status).toBe(200);
    expect(listed.json.data).toEqual([
      expect.objectContaining({
        id: completed.paymentMethod.id,
        type: 'link',
        account: { email: 'jenny@example.com' },
        allowRedisplay: 'always',
        isCustomerDefault: true,
      }),
      expect.objectContaining({ id: limited.id, type: 'card', allowRedisplay: 'limited' }),
    ]);
  });
});
