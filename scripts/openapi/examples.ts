/**
 * One worked example per operation, by operationId: the request body and each answer with a body that a
 * caller branches on. `npm run openapi` puts them in the document as `example`s; the document test checks
 * every one against its own schema, so an example cannot drift from what the API takes and answers.
 */
const customer = 'cus_Q8x2LmN4pRt7Vw';
const subscription = 'sub_1Q8x2LmN4pRt7VwAb';
const session = 'cs_test_a1B2c3D4e5F6g7H8';
const card = 'pm_1Q8x2LmN4pRt7VwVisa';
const otherCard = 'pm_1Q8x2LmN4pRt7VwMc';
const change = 'chg_5f0c3b1e9a4d4c7e8b2a6d1f0e9c8b7a';
const api = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

export interface OperationExamples {
  request?: unknown;
  responses: Record<number, unknown>;
}

export const EXAMPLES: Record<string, OperationExamples> = {
  createCheckoutSession: {
    request: { subscription, successUrl: 'https://app.example.com/billing/done' },
    responses: {
      201: { id: session, url: `https://checkout.stripe.com/c/pay/${session}` },
      409: { error: { code: 'subscription_inactive', message: `Subscription ${subscription} is canceled.` } },
    },
  },
  createCheckoutSessionFromForm: {
    request: {
      subscription,
      token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjdXNfUTh4MkxtTjRwUnQ3VncifQ.c2ln',
    },
    responses: {},
  },
  createFormToken: {
    request: {},
    responses: {
      201: {
        formToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjdXNfUTh4MkxtTjRwUnQ3VncifQ.c2ln',
        expiresAt: 1792671300,
      },
    },
  },
  getCheckoutSessionStatus: {
    responses: {
      200: {
        id: session,
        status: 'complete',
        customer,
        setupIntent: { id: 'seti_1Q8x2LmN4pRt7Vw', status: 'succeeded' },
        paymentMethod: { id: card, type: 'card', brand: 'visa', last4: '4242' },
        defaultsApplied: true,
        appliedTo: { customer, subscription: null, paymentMethod: card, subscriptionsMoved: [subscription] },
        processing: { status: 'applied', updatedAt: '2026-10-28T12:00:03.000Z' },
      },
      404: { error: { code: 'session_not_found', message: `Checkout Session ${session} was not found.` } },
    },
  },
  receiveStripeEvent: {
    request: {
      id: 'evt_1Q8x2LmN4pRt7Vw',
      object: 'event',
      type: 'checkout.session.completed',
      created: 1792670400,
      livemode: false,
      data: { object: { id: session, object: 'checkout.session', mode: 'setup', customer } },
    },
    responses: {
      200: { received: true, enqueued: true },
      400: {
        error: { code: 'invalid_signature', message: 'No signatures found matching the expected signature.' },
      },
    },
  },
  listPaymentMethods: {
    responses: {
      200: {
        data: [
          {
            id: card,
            type: 'card',
            created: 1792670400,
            card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
            allowRedisplay: 'always',
            isCustomerDefault: true,
            pays: [subscription],
          },
          {
            id: otherCard,
            type: 'card',
            created: 1792584000,
            card: { brand: 'mastercard', last4: '4444', expMonth: 3, expYear: 2028 },
            allowRedisplay: 'limited',
            isCustomerDefault: false,
            pays: [],
          },
        ],
        hasMore: false,
        nextStartingAfter: null,
        customerDefault: card,
        subscriptions: [{ id: subscription, status: 'active', paymentMethod: card, source: 'customer' }],
      },
    },
  },
  makePaymentMethodDefault: {
    request: { subscription: 'all' },
    responses: {
      202: { id: change, status: 'queued', statusUrl: `${api}/payment-methods/changes/${change}` },
      404: { error: { code: 'payment_method_not_found', message: `Payment method ${card} was not found.` } },
    },
  },
  removePaymentMethod: {
    responses: {
      202: { id: change, status: 'queued', statusUrl: `${api}/payment-methods/changes/${change}` },
      409: {
        error: {
          code: 'payment_method_in_use',
          message: `Payment method ${card} is the customer's default and pays ${subscription}; name a replacement (replaceWith) to remove it.`,
        },
      },
    },
  },
  getPaymentMethodChange: {
    responses: {
      200: {
        id: change,
        action: 'remove',
        status: 'applied',
        paymentMethod: card,
        replacement: otherCard,
        subscription: null,
        subscriptionsMoved: [subscription],
        subscriptionsSkipped: [],
        updatedAt: '2026-10-28T12:00:03.000Z',
      },
    },
  },
  mintUpdateLink: {
    request: { customer, subscription, invoice: 'in_1Q8x2LmN4pRt7VwInv', reason: 'payment_failed' },
    responses: {
      201: {
        id: 'ul_Xk3vQ9sLm2Rt7VwAb1Cd',
        url: `${api}/u/ul_Xk3vQ9sLm2Rt7VwAb1Cd.1767225600.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c`,
        expiresAt: '2026-01-01T00:00:00.000Z',
        customer,
        subscription,
        invoice: 'in_1Q8x2LmN4pRt7VwInv',
        reason: 'payment_failed',
      },
    },
  },
  revokeUpdateLink: { responses: { 200: { id: 'ul_Xk3vQ9sLm2Rt7VwAb1Cd', status: 'revoked' } } },
  openUpdateLink: { responses: {} },
};
