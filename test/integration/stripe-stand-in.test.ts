import Stripe from 'stripe';
import { type StripeStandIn, signPayload, startStripeStandIn } from '../../dev/stripe-stand-in';
import { decodeForm } from '../../dev/stripe-stand-in/form-encoding';
import { caughtStripeError, STAND_IN_CONTROL_HEADERS } from '../support/stand-in-requests';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

let standIn: StripeStandIn;
let stripe: Stripe;

function client(options: Stripe.StripeConfig = {}, key = 'sk_test_standin'): Stripe {
  return new Stripe(key, { ...standIn.sdkOptions, maxNetworkRetries: 0, ...options });
}

const caught = caughtStripeError;

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers: STAND_IN_CONTROL_HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

async function setupSession(customer: string | undefined) {
  return stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    ...(customer === undefined ? {} : { customer }),
    success_url: 'https://app.example.com/done',
    cancel_url: 'https://app.example.com/cancel',
    setup_intent_data: { metadata: { customer_id: customer ?? 'none' } },
  });
}

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = client();
});
afterAll(() => standIn.close());
afterEach(() => {
  standIn.faults.clear();
  standIn.setLatency(0);
});

describe('form decoding', () => {
  it('turns bracketed keys into nested objects and indexed keys into arrays', () => {
    expect(
      decodeForm(
        'setup_intent_data[metadata][customer_id]=cus_1&expand[0]=setup_intent&expand[1]=customer&tags[]=a&tags[]=b&name=A+B%26C',
      ),
    ).toEqual({
      setup_intent_data: { metadata: { customer_id: 'cus_1' } },
      expand: ['setup_intent', 'customer'],
      tags: ['a', 'b'],
      name: 'A B&C',
    });
  });
});

describe('customers and subscriptions', () => {
  it('creates, retrieves and lists them with Stripe shapes', async () => {
    const customer = await stripe.customers.create({ email: 'ada@example.com', metadata: { plan: 'pro' } });
    expect(customer).toMatchObject({
      id: expect.stringMatching(/^cus_[0-9A-Za-z]{24}$/),
      object: 'customer',
      email: 'ada@example.com',
      livemode: false,
      metadata: { plan: 'pro' },
      invoice_settings: { default_payment_method: null },
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_standard' }],
    });
    expect(subscription).toMatchObject({
      id: expect.stringMatching(/^sub_/),
      status: 'active',
      customer: customer.id,
      default_payment_method: null,
    });
    expect(subscription.items.data[0]?.price.id).toBe('price_standard');
    expect((await stripe.subscriptions.retrieve(subscription.id)).id).toBe(subscription.id);
    const listed = await stripe.subscriptions.list({ customer: customer.id });
    expect(listed.data.map((s) => s.id)).toEqual([subscription.id]);
  });

  it('answers a deleted customer with a stub, refuses updates, and cancels its subscriptions', async () => {
    const customer = await stripe.customers.create({ email: 'gone@example.com' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id });
    expect(await stripe.customers.del(customer.id)).toEqual({
      id: customer.id,
      object: 'customer',
      deleted: true,
    });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    const error = await caught(stripe.customers.update(customer.id, { name: 'x' }));
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
  });

  it('lets a canceled subscription update only its metadata', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const subscription = await stripe.subscriptions.create({ customer: customer.id });
    expect((await stripe.subscriptions.cancel(subscription.id)).status).toBe('canceled');
    const error = await caught(
      stripe.subscriptions.update(subscription.id, { default_payment_method: pm.id }),
    );
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(
      'A canceled subscription can only update its cancellation_details and metadata.',
    );
    const updated = await stripe.subscriptions.update(subscription.id, { metadata: { note: 'after' } });
    expect(updated.metadata).toEqual({ note: 'after' });
  });
});

describe('checkout sessions in setup mode', () => {
  it('creates the session and its SetupIntent with the metadata', async () => {
    const customer = await stripe.customers.create({ email: 'c@example.com' });
    const session = await setupSession(customer.id);
    expect(session).toMatchObject({
      id: expect.stringMatching(/^cs_test_/),
      object: 'checkout.session',
      mode: 'setup',
      status: 'open',
      customer: customer.id,
      currency: 'usd',
      payment_status: 'no_payment_required',
      success_url: 'https://app.example.com/done',
      url: `${standIn.url}/checkout/${session.id}`,
      setup_intent: expect.stringMatching(/^seti_/),
      livemode: false,
    });
    expect(session.expires_at - session.created).toBe(24 * 60 * 60);
    const setupIntent = await stripe.setupIntents.retrieve(session.setup_intent as string);
    expect(setupIntent).toMatchObject({
      status: 'requires_payment_method',
      customer: customer.id,
      payment_method: null,
      usage: 'off_session',
      metadata: { customer_id: customer.id },
    });
    const page = await fetch(session.url as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(session.id);
  });

  it('rejects payment_method_types, which this API version no longer has', async () => {
    const error = await caught(
      stripe.checkout.sessions.create({
        mode: 'setup',
        currency: 'usd',
        success_url: 'https://app.example.com/done',
        // @ts-expect-error removed from SessionCreateParams in 2026-10-28.endive
        payment_method_types: ['card'],
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'payment_method_types',
      message: 'Received unknown parameter: payment_method_types',
    });
  });

  it('names nested unknown parameters with their bracketed path', async () => {
    const error = await caught(
      stripe.checkout.sessions.create({
        mode: 'setup',
        currency: 'usd',
        success_url: 'https://app.example.com/done',
        // @ts-expect-error not a SetupIntentData field
        setup_intent_data: { colour: 'blue' },
      }),
    );
    expect(error).toMatchObject({ code: 'parameter_unknown', param: 'setup_intent_data[colour]' });
  });

  it('requires currency in setup mode, and an existing customer', async () => {
    const sessionsBefore = standIn.store.checkoutSessions.size;
    const noCurrency = await caught(
      stripe.checkout.sessions.create({ mode: 'setup', success_url: 'https://app.example.com/done' }),
    );
    expect(noCurrency).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'currency' });
    const noCustomer = await caught(setupSession('cus_doesnotexist'));
    expect(noCustomer).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    expect(standIn.store.checkoutSessions.size).toBe(sessionsBefore);
  });

  it('answers 404 resource_missing for an unknown id', async () => {
    const error = await caught(stripe.checkout.sessions.retrieve('cs_test_missing'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
  });

  it('completes: the expanded SetupIntent has succeeded with a visa ending 4242', async () => {
    const customer = await stripe.customers.create({ email: 'pay@example.com' });
    const session = await setupSession(customer.id);
    const completion = await standIn.completeCheckoutSession(session.id);
    expect(completion.event).toMatchObject({
      type: 'checkout.session.completed',
      api_version: '2026-10-28.endive',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { id: session.id, status: 'complete', setup_intent: session.setup_intent } },
    });
    const retrieved = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['setup_intent', 'setup_intent.payment_method'],
    });
    expect(retrieved.status).toBe('complete');
    const setupIntent = retrieved.setup_intent as Stripe.SetupIntent;
    expect(setupIntent.status).toBe('succeeded');
    expect(setupIntent.customer).toBe(customer.id);
    const paymentMethod = setupIntent.payment_method as Stripe.PaymentMethod;
    expect(paymentMethod).toMatchObject({ id: completion.paymentMethod.id, customer: customer.id });
    expect(paymentMethod.card).toMatchObject({ brand: 'visa', last4: '4242' });
    const events = await stripe.events.list({ type: 'checkout.session.completed', limit: 1 });
    expect(events.data[0]?.id).toBe(completion.event.id);
  });

  it('leaves everything unchanged for the decline card', async () => {
    const session = await setupSession(undefined);
    const result = await standIn.completeCheckoutSession(session.id, { card: '4000000000000002' });
    expect(result).toMatchObject({ declined: true, code: 'card_declined' });
    expect(standIn.store.getCheckoutSession(session.id)?.status).toBe('open');
    expect(standIn.store.getSetupIntent(session.setup_intent as string)?.payment_method).toBeNull();
  });

  it('expires an open session and refuses to expire it twice', async () => {
    const session = await setupSession(undefined);
    expect((await stripe.checkout.sessions.expire(session.id)).status).toBe('expired');
    expect(standIn.store.getSetupIntent(session.setup_intent as string)?.status).toBe('canceled');
    const again = await caught(stripe.checkout.sessions.expire(session.id));
    expect(again.statusCode).toBe(400);
  });
});

describe('default payment methods', () => {
  it('sets and unsets the customer and subscription defaults, only to attached methods', async () => {
    const customer = await stripe.customers.create({ email: 'defaults@example.com' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id });
    const { paymentMethod } = await standIn.completeCheckoutSession((await setupSession(customer.id)).id, {
      card: '5555555555554444',
    });
    expect(paymentMethod.card).toMatchObject({ brand: 'mastercard', last4: '4444' });

    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    expect(updated.invoice_settings.default_payment_method).toBe(paymentMethod.id);
    const withDefault = await stripe.subscriptions.update(subscription.id, {
      default_payment_method: paymentMethod.id,
    });
    expect(withDefault.default_payment_method).toBe(paymentMethod.id);
    const expanded = await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    expect((expanded as Stripe.Customer).invoice_settings.default_payment_method).toMatchObject({
      id: paymentMethod.id,
      object: 'payment_method',
    });

    // Setting the value it already has is a request but not a change.
    standIn.clearRequests();
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    expect(standIn.requests[0]).toMatchObject({ effect: false, changed: false });

    const stranger = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_amex' } });
    const refused = await caught(
      stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: stranger.id } }),
    );
    expect(refused).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    const refusedOnSubscription = await caught(
      stripe.subscriptions.update(subscription.id, { default_payment_method: stranger.id }),
    );
    expect(refusedOnSubscription).toMatchObject({ statusCode: 400, param: 'default_payment_method' });

    const unset = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: '' },
    });
    expect(unset.invoice_settings.default_payment_method).toBeNull();
  });

  it('attach path: a customer-less SetupIntent, then attach; detach clears the defaults', async () => {
    const customer = await stripe.customers.create({ email: 'attach@example.com' });
    const other = await stripe.customers.create({ email: 'other@example.com' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id });
    const completion = await standIn.completeCheckoutSession((await setupSession(undefined)).id);
    expect(completion.setupIntent.customer).toBeNull();
    expect(completion.paymentMethod.customer).toBeNull();

    const attached = await stripe.paymentMethods.attach(completion.paymentMethod.id, {
      customer: customer.id,
    });
    expect(attached.customer).toBe(customer.id);
    const again = await stripe.paymentMethods.attach(completion.paymentMethod.id, { customer: customer.id });
    expect(again.customer).toBe(customer.id);
    const elsewhere = await caught(
      stripe.paymentMethods.attach(completion.paymentMethod.id, { customer: other.id }),
    );
    expect(elsewhere).toMatchObject({
      statusCode: 400,
      message: 'The payment method you provided has already been attached to a customer.',
    });
    const listed = await stripe.customers.listPaymentMethods(customer.id);
    expect(listed.data.map((pm) => pm.id)).toEqual([completion.paymentMethod.id]);

    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: completion.paymentMethod.id },
    });
    await stripe.subscriptions.update(subscription.id, {
      default_payment_method: completion.paymentMethod.id,
    });
    await stripe.paymentMethods.detach(completion.paymentMethod.id);
    expect(standIn.store.getPaymentMethod(completion.paymentMethod.id)?.customer).toBeNull();
    const customerAfter = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(customerAfter.invoice_settings.default_payment_method).toBeNull();
    expect((await stripe.subscriptions.retrieve(subscription.id)).default_payment_method).toBeNull();
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and rejects the key with other parameters', async () => {
    standIn.clearRequests();
    const first = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'k1' });
    const second = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'k1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(standIn.requests.map((entry) => [entry.idempotencyKey, entry.replayed, entry.effect])).toEqual([
      ['k1', false, true],
      ['k1', true, false],
    ]);
    const error = await caught(
      stripe.customers.create({ email: 'else@example.com' }, { idempotencyKey: 'k1' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect([...standIn.store.customers.values()].filter((c) => c.email === 'idem@example.com')).toHaveLength(
      1,
    );
  });
});

describe('fault injection', () => {
  it('a 500 surfaces as StripeAPIError and a 429 as StripeRateLimitError without retries', async () => {
    standIn.faults.add({ method: 'POST', path: /^\/v1\/customers$/, status: 500 });
    expect(await caught(stripe.customers.create({}))).toBeInstanceOf(Stripe.errors.StripeAPIError);
    standIn.faults.add({ path: '/v1/customers', status: 429 });
    const limited = await caught(stripe.customers.list());
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(limited.statusCode).toBe(429);
    expect(standIn.requests.slice(-2).map((entry) => [entry.status, entry.fault, entry.effect])).toEqual([
      [500, 500, false],
      [429, 429, false],
    ]);
  });

  it("the SDK's own retry, with the same idempotency key, recovers after one injected 500", async () => {
    const retrying = client({ maxNetworkRetries: 2 });
    standIn.faults.add({ method: 'POST', path: /^\/v1\/customers$/, status: 500, times: 1 });
    standIn.clearRequests();
    const customer = await retrying.customers.create({ email: 'retry@example.com' });
    expect(customer.email).toBe('retry@example.com');
    const attempts = standIn.requests.filter((entry) => entry.path === '/v1/customers');
    expect(attempts.map((entry) => entry.status)).toEqual([500, 200]);
    expect(attempts[0]?.idempotencyKey).toBe(attempts[1]?.idempotencyKey);
    expect(attempts.filter((entry) => entry.effect)).toHaveLength(1);
  });

  it('a reset drops the connection; the SDK retries a closed connection once even without retries', async () => {
    standIn.faults.add({ path: /^\/v1\/customers$/, status: 'reset', times: 1 });
    standIn.clearRequests();
    const customer = await stripe.customers.create({ email: 'reset@example.com' });
    expect(standIn.requests.map((entry) => [entry.status, entry.fault])).toEqual([
      [0, 'reset'],
      [200, undefined],
    ]);
    expect(standIn.store.getCustomer(customer.id)).toBeDefined();
    standIn.faults.add({ path: /^\/v1\/customers$/, status: 'reset', times: 2 });
    expect(await caught(stripe.customers.create({}))).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });

  it('is configurable over HTTP, and latency delays requests', async () => {
    expect((await control('POST', '/_stand-in/faults', { path: '/v1/events', status: 503 })).status).toBe(
      201,
    );
    expect(await caught(stripe.events.list())).toMatchObject({ statusCode: 503 });
    standIn.setLatency(60);
    const started = Date.now();
    await stripe.events.list({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('webhook delivery', () => {
  let receiver: WebhookReceiver;
  let receiverUrl: string;
  let received: Stripe.Event[];

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => standIn.webhookSecret);
    receiverUrl = receiver.url;
    received = receiver.received;
  });
  afterAll(() => receiver.close());

  it('signs checkout.session.completed so constructEvent accepts it', async () => {
    const session = await setupSession((await stripe.customers.create({})).id);
    const completion = await standIn.completeCheckoutSession(session.id, { deliverTo: receiverUrl });
    expect(completion.delivery).toEqual({ status: 200, body: 'ok' });
    expect(received.at(-1)).toMatchObject({ id: completion.event.id, type: 'checkout.session.completed' });
  });

  it('signs like the SDK test helper, and a wrong secret is refused by the receiver', async () => {
    const payload = '{"id":"evt_1"}';
    expect(signPayload(payload, 'whsec_x', 1700000000)).toBe(
      stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_x', timestamp: 1700000000 }),
    );
    const event = standIn.store.events.values().next().value;
    expect(event).toBeDefined();
    const other = await startStripeStandIn({ webhookSecret: 'whsec_other' });
    try {
      expect((await other.sendEvent(event as object, receiverUrl)).status).toBe(400);
    } finally {
      await other.close();
    }
  });
});

describe('HTTP control routes, request log and lists', () => {
  it('completes a session over HTTP and reports declines with 402', async () => {
    const session = await setupSession((await stripe.customers.create({})).id);
    const declined = await control('POST', `/_stand-in/checkout/sessions/${session.id}/complete`, {
      card: '4000000000000002',
    });
    expect(declined).toEqual({
      status: 402,
      json: expect.objectContaining({ declined: true, code: 'card_declined' }),
    });
    const done = await control('POST', `/_stand-in/checkout/sessions/${session.id}/complete`, {
      card: '378282246310005',
    });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      session: { id: session.id, status: 'complete' },
      paymentMethod: { card: { brand: 'amex', last4: '0005' } },
      setupIntent: { status: 'succeeded' },
    });
    expect((await control('POST', '/_stand-in/checkout/sessions/cs_test_nope/complete', {})).status).toBe(
      404,
    );
  });

  it('every control route takes a test-mode key, as the /v1 routes do; none answers without one', async () => {
    // Stripe authenticates with the secret key in Authorization (https://docs.stripe.com/api/authentication),
    // and its test helpers exist only in test mode: the log shows every setup_proof, the faults and the
    // networks change what the stand-in answers.
    const routes: [string, string][] = [
      ['GET', '/_stand-in/requests'],
      ['DELETE', '/_stand-in/requests'],
      ['GET', '/_stand-in/faults'],
      ['POST', '/_stand-in/faults'],
      ['POST', '/_stand-in/latency'],
      ['POST', '/_stand-in/rate-limit'],
      ['POST', '/_stand-in/reset'],
      ['POST', '/_stand-in/payment_methods/pm_1/automatically_update'],
      ['POST', '/_stand-in/payment_methods/pm_1/revoke_mandate'],
      ['POST', '/_stand-in/events/evt_1/deliver'],
    ];
    for (const [method, path] of routes) {
      for (const authorization of [undefined, 'Bearer sk_live_controls', 'Bearer not-a-key']) {
        const answer = await fetch(`${standIn.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: method === 'GET' ? undefined : '{"path":"/v1/customers","ms":0}',
        });
        expect({ method, path, authorization, status: answer.status }).toEqual({
          method,
          path,
          authorization,
          status: 401,
        });
        expect(((await answer.json()) as { error: { type: string } }).error.type).toBe(
          'invalid_request_error',
        );
      }
    }
    expect((await control('GET', '/_stand-in/faults')).status).toBe(200);
  });

  it('a fault path is an exact path or a prefix, never a regular expression (no ReDoS)', async () => {
    // A caller's regex runs on every request; a nested quantifier takes exponential time on a near-match
    // (https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS).
    for (const path of ['^(a+)+$', '/v1/(a|aa)*x', '/v1/*/customers', 'v1/customers']) {
      const refused = await control('POST', '/_stand-in/faults', { path, status: 503 });
      expect({ path, status: refused.status }).toEqual({ path, status: 400 });
    }
    expect(standIn.faults.list()).toHaveLength(0);
    expect(
      (await control('POST', '/_stand-in/faults', { path: '/v1/customers/*', status: 503 })).status,
    ).toBe(201);
    const customer = await stripe.customers.create({});
    expect(await caught(stripe.customers.retrieve(customer.id))).toMatchObject({ statusCode: 503 });
  });

  it('delivers events only to a loopback URL or the configured webhook URL', async () => {
    const session = await setupSession((await stripe.customers.create({})).id);
    // Link-local (the cloud metadata address) and a public host: a control call must not make the stand-in
    // post signed events across the network.
    for (const deliverTo of [
      'http://169.254.169.254/latest',
      'https://attacker.example/hook',
      'file:///etc/x',
    ]) {
      const completed = await control('POST', `/_stand-in/checkout/sessions/${session.id}/complete`, {
        deliverTo,
      });
      expect({ deliverTo, status: completed.status }).toEqual({ deliverTo, status: 400 });
      expect(completed.json).toMatchObject({ error: { param: 'deliverTo' } });
    }
    const event = standIn.store.events.values().next().value as { id: string };
    const redirected = await control('POST', `/_stand-in/events/${event.id}/deliver`, {
      deliverTo: 'http://127.0.0.1.attacker.example/hook',
    });
    expect(redirected.status).toBe(400);
    const receiver = await startWebhookReceiver(() => standIn.webhookSecret);
    try {
      const delivered = await control('POST', `/_stand-in/events/${event.id}/deliver`, {
        deliverTo: receiver.url,
      });
      expect(delivered).toMatchObject({ status: 200, json: { status: 200 } });
    } finally {
      await receiver.close();
    }
  });

  it('malformed percent-encoding in a path is a 400 in Stripe’s error shape, never a 500', async () => {
    // RFC 3986 §2.1: a percent sign is followed by exactly two hex digits; the octets must also be UTF-8.
    for (const path of [
      '/v1/customers/cus_%ZZ',
      '/v1/customers/%E0%A4%A',
      '/checkout/cs_test_%',
      '/_stand-in/events/evt_%G1/deliver',
    ]) {
      const answer = await fetch(`${standIn.url}${path}`, {
        method: path.startsWith('/_stand-in') ? 'POST' : 'GET',
        headers: STAND_IN_CONTROL_HEADERS,
        body: path.startsWith('/_stand-in') ? '{}' : undefined,
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(((await answer.json()) as { error: unknown }).error).toMatchObject({
        type: 'invalid_request_error',
      });
    }
  });

  it('logs and counts /v1 requests and serves the log over HTTP', async () => {
    expect((await control('DELETE', '/_stand-in/requests')).status).toBe(200);
    expect(standIn.requests).toHaveLength(0);
    const customer = await stripe.customers.create({});
    await stripe.customers.update(customer.id, { name: 'Grace' });
    await stripe.customers.retrieve(customer.id);
    expect(standIn.countRequests('POST', /^\/v1\/customers\/cus_/)).toBe(1);
    expect(standIn.countRequests('GET', /^\/v1\/customers\//)).toBe(1);
    const log = await control('GET', '/_stand-in/requests');
    expect(log.json).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/customers', status: 200, effect: true }),
      expect.objectContaining({ method: 'POST', params: { name: 'Grace' }, changed: true, effect: true }),
      expect.objectContaining({ method: 'GET', replayed: false, effect: false }),
    ]);
  });

  it('pages lists newest first with limit and starting_after, and filters by created', async () => {
    const marker = `page-${Date.now()}@example.com`;
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await stripe.customers.create({ email: marker }));
    const firstPage = await stripe.customers.list({ email: marker, limit: 2 });
    expect(firstPage).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(firstPage.data.map((c) => c.id)).toEqual([created[2]?.id, created[1]?.id]);
    const secondPage = await stripe.customers.list({
      email: marker,
      limit: 2,
      starting_after: created[1]?.id,
    });
    expect(secondPage.data.map((c) => c.id)).toEqual([created[0]?.id]);
    expect(secondPage.has_more).toBe(false);

    const customer = created[0] as Stripe.Customer;
    const session = await setupSession(customer.id);
    const sessions = await stripe.checkout.sessions.list({
      customer: customer.id,
      created: { gte: session.created },
      expand: ['data.setup_intent'],
    });
    expect(sessions.data.map((s) => s.id)).toEqual([session.id]);
    expect(sessions.data[0]?.setup_intent).toMatchObject({
      id: session.setup_intent,
      object: 'setup_intent',
    });
    const future = await stripe.checkout.sessions.list({ created: { gt: session.created + 3600 } });
    expect(future.data).toEqual([]);
  });
});

describe('authentication and routing', () => {
  it('refuses requests without a usable secret key with 401', async () => {
    const error = await caught(client({}, 'pk_test_publishable').customers.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);
    const live = await client({}, 'sk_live_standin').customers.create({});
    expect(live.livemode).toBe(true);
  });

  it('answers unknown routes like Stripe', async () => {
    const response = await fetch(`${standIn.url}/v1/widgets`, {
      headers: { authorization: 'Bearer sk_test_standin' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: expect.objectContaining({
        type: 'invalid_request_error',
        message: expect.stringMatching(/^Unrecognized request URL \(GET: \/v1\/widgets\)/),
      }),
    });
  });
});
