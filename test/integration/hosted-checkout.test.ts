import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/** The hosted Checkout page as a browser with JavaScript disabled uses it: GET the form, POST it back. */

let standIn: StripeStandIn;
let stripe: Stripe;
let receiver: WebhookReceiver;

const FUTURE_EXPIRY = `12 / ${String((new Date().getUTCFullYear() + 2) % 100).padStart(2, '0')}`;
const GOOD_CARD = { card_number: '4242 4242 4242 4242', expiry: FUTURE_EXPIRY, cvc: '123', name: 'Ada' };

interface Page {
  status: number;
  headers: Headers;
  html: string;
}

async function page(sessionId: string, fields?: Record<string, string>): Promise<Page> {
  const response = await fetch(`${standIn.url}/checkout/${sessionId}`, {
    redirect: 'manual',
    ...(fields === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

async function openSession(
  customer: Stripe.CustomerCreateParams = {},
  session: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Promise<Stripe.Checkout.Session> {
  return stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    customer: (await stripe.customers.create(customer)).id,
    success_url: 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://app.example.com/cancel',
    ...session,
  });
}

async function deliveriesFor(sessionId: string): Promise<Stripe.Event[]> {
  await standIn.deliveriesSettled();
  return receiver.received.filter((event) => (event.data.object as { id?: string }).id === sessionId);
}

function cardNumberInput(html: string): string {
  return /<input id="card-number"[^>]*>/.exec(html)?.[0] ?? '';
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(() => standIn.webhookSecret);
  standIn = await startStripeStandIn({
    webhookUrl: receiver.url,
    enabledEvents: ['checkout.session.completed'],
  });
  // One delivery per event and no retries, so each test can count them; both have their own tests.
  standIn.configureDelivery({ duplicateProbability: 0, retries: 0 });
  stripe = new Stripe('sk_test_x', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(async () => {
  await standIn.close();
  await receiver.close();
});

describe('the hosted Checkout page', () => {
  it('shows a setup-mode card form with the customer, test cards and a cancel link', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    expect(session.url).toBe(`${standIn.url}/checkout/${session.id}`);

    const { status, headers, html } = await page(session.id);

    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('Save a payment method');
    expect(html).toContain('Setup mode — you will not be charged');
    expect(html).toContain('Test mode');
    expect(html).toContain('ada@example.com');
    expect(html).toContain(`<form method="POST" action="/checkout/${session.id}"`);
    expect(cardNumberInput(html)).toMatch(/name="card_number"/);
    expect(cardNumberInput(html)).toMatch(/inputmode="numeric"/);
    expect(cardNumberInput(html)).toMatch(/autocomplete="cc-number"/);
    expect(html).toMatch(/<input id="card-expiry" name="expiry"[^>]*placeholder="MM \/ YY"/);
    expect(html).toMatch(/<input id="card-cvc" name="cvc"/);
    expect(html).toMatch(/<input id="cardholder-name" name="name"/);
    expect(html).toMatch(/<button id="submit" type="submit">Save card<\/button>/);
    expect(html).toMatch(/<a id="cancel"[^>]*href="https:\/\/app\.example\.com\/cancel"/);
    expect(html).toContain('4242 4242 4242 4242');
    expect(html).toContain('4000 0000 0000 0002');
    expect(html).not.toContain('id="error"');
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('escapes values that API callers control and links no javascript: URL', async () => {
    const session = await openSession(
      { email: '"<script>x</script>"@example.com' },
      { cancel_url: 'javascript:alert(1)' },
    );

    const { status, html } = await page(session.id);

    expect(status).toBe(200);
    expect(html).toContain('&#34;&#60;script&#62;x&#60;/script&#62;&#34;@example.com');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('id="cancel"');
    expect(html).not.toContain('javascript:');
  });

  it('saving a good card redirects to success_url and delivers one signed event', async () => {
    const session = await openSession();
    const logged = standIn.requests.length;

    const reply = await page(session.id, GOOD_CARD);

    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(`https://app.example.com/done?session_id=${session.id}`);
    expect(standIn.requests).toHaveLength(logged);
    expect(await deliveriesFor(session.id)).toEqual([
      expect.objectContaining({ type: 'checkout.session.completed' }),
    ]);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
    const setupIntent = await stripe.setupIntents.retrieve(session.setup_intent as string, {
      expand: ['payment_method'],
    });
    expect(setupIntent.status).toBe('succeeded');
    expect((setupIntent.payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
  });

  it('the saved card carries the expiry and name typed on the page', async () => {
    // Stripe's PaymentMethod.card.exp_month/exp_year and billing_details.name (PaymentMethods.d.ts) are what
    // the customer entered; a billing page showing "expires 07/31" must see what was typed.
    const session = await openSession();
    const year = new Date().getUTCFullYear() + 5;
    const reply = await page(session.id, {
      ...GOOD_CARD,
      expiry: `07 / ${String(year % 100)}`,
      name: 'Grace Hopper',
    });
    expect(reply.status).toBe(303);
    const setupIntent = await stripe.setupIntents.retrieve(session.setup_intent as string, {
      expand: ['payment_method'],
    });
    const method = setupIntent.payment_method as Stripe.PaymentMethod;
    expect(method.card).toMatchObject({ exp_month: 7, exp_year: year });
    expect(method.billing_details.name).toBe('Grace Hopper');
  });

  it('a declined card answers 402 and leaves the session open', async () => {
    const session = await openSession();

    const reply = await page(session.id, { ...GOOD_CARD, card_number: '4000 0000 0000 0002' });

    expect(reply.status).toBe(402);
    expect(reply.html).toMatch(/<p id="error" role="alert">Your card was declined\.<\/p>/);
    expect(cardNumberInput(reply.html)).not.toContain('value=');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect(await deliveriesFor(session.id)).toHaveLength(0);
  });

  it.each([
    ['an invalid card number', { card_number: '4242 4242 4242 4241' }, 'Your card number is invalid.'],
    ['a too-short card number', { card_number: '4242-4242' }, 'Your card number is invalid.'],
    ['a missing card number', { card_number: '' }, 'Your card number is incomplete.'],
    ['a past expiry', { expiry: '01 / 20' }, 'Your card&#39;s expiration date is in the past.'],
    ['a malformed expiry', { expiry: '13/99' }, 'Your card&#39;s expiration date is invalid.'],
    ['a short CVC', { cvc: '12' }, 'Your card&#39;s security code is invalid.'],
    ['a non-numeric CVC', { cvc: '12a' }, 'Your card&#39;s security code is invalid.'],
  ])(
    '%s answers 400 with the message, keeps the name and echoes no card digits',
    async (_, change, message) => {
      const session = await openSession();
      const fields = { ...GOOD_CARD, cvc: '987', name: 'Ada <Lovelace>', ...change };

      const reply = await page(session.id, fields);

      expect(reply.status).toBe(400);
      expect(reply.html).toContain(`<p id="error" role="alert">${message}</p>`);
      expect(reply.html).toMatch(/<input id="cardholder-name"[^>]*value="Ada &#60;Lovelace&#62;"/);
      expect(cardNumberInput(reply.html)).not.toContain('value=');
      if (fields.card_number.length > 0)
        expect(reply.html).not.toContain(fields.card_number.replace(/\D/g, ''));
      expect(reply.html).not.toContain(`value="${fields.cvc}"`);
      expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    },
  );

  it('an unknown session gets a 404 page', async () => {
    for (const reply of [await page('cs_test_nope'), await page('cs_test_nope', GOOD_CARD)]) {
      expect(reply.status).toBe(404);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.html).toContain('This checkout session does not exist');
    }
  });

  it('a completed session shows the saved page and is not completed twice', async () => {
    const session = await openSession();
    expect((await page(session.id, GOOD_CARD)).status).toBe(303);

    const again = await page(session.id, { ...GOOD_CARD, card_number: '5555 5555 5555 4444' });
    const revisit = await page(session.id);

    for (const reply of [again, revisit]) {
      expect(reply.status).toBe(200);
      expect(reply.html).toContain('Your payment method was saved');
      expect(reply.html).toContain('ending in 4242');
      expect(reply.html).toContain(`href="https://app.example.com/done?session_id=${session.id}"`);
      expect(reply.html).not.toContain('<form');
    }
    expect(await deliveriesFor(session.id)).toHaveLength(1);
  });

  it('an expired session answers 410', async () => {
    const session = await openSession();
    await stripe.checkout.sessions.expire(session.id);

    for (const reply of [await page(session.id), await page(session.id, GOOD_CARD)]) {
      expect(reply.status).toBe(410);
      expect(reply.html).toContain('This checkout session has expired');
    }
    expect(await deliveriesFor(session.id)).toHaveLength(0);
  });

  it('page routes need no API key and stay out of the /v1 request log', async () => {
    const session = await openSession();
    standIn.clearRequests();

    await page(session.id);
    await page(session.id, { ...GOOD_CARD, cvc: '' });
    await page(session.id, GOOD_CARD);

    expect(standIn.requests).toHaveLength(0);
    expect(standIn.countRequests('GET', /checkout/)).toBe(0);
    expect(standIn.countRequests('POST', /checkout/)).toBe(0);
  });
});

describe('webhook delivery from the hosted page', () => {
  afterEach(() => standIn.setWebhookUrl(receiver.url, ['checkout.session.completed']));

  it('still redirects when the webhook endpoint fails', async () => {
    standIn.setWebhookUrl(receiver.failingUrl, ['checkout.session.completed']);
    const session = await openSession();

    const reply = await page(session.id, GOOD_CARD);

    expect(reply.status).toBe(303);
    expect(await deliveriesFor(session.id)).toHaveLength(1);
  });

  it('delivers nothing once the webhook URL is unset', async () => {
    standIn.setWebhookUrl(undefined);
    const session = await openSession();

    expect((await page(session.id, GOOD_CARD)).status).toBe(303);
    expect(await deliveriesFor(session.id)).toHaveLength(0);
  });

  it('refuses a webhook URL it cannot deliver to', () => {
    expect(() => standIn.setWebhookUrl('not a url')).toThrow();
    expect(() => standIn.setWebhookUrl('ftp://example.com/hook')).toThrow(/http\(s\)/);
  });
});
