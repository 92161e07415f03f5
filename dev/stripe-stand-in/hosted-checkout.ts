import type { CompleteSessionOptions, CompleteSessionResult } from './checkout-completion';
import { embeddedCompletePage } from './embedded-checkout';
import { StandInError } from './errors';
import { type CardField, checkoutFormPage, messagePage } from './hosted-checkout-page';
import type { StandInStore } from './store';
import type { StoredCheckoutSession } from './types';

/**
 * The page a session's `url` points at (`/checkout/<id>`): what a customer sees on Stripe's hosted
 * Checkout in setup mode. Not an API route: no authentication and no entry in the /v1 request log.
 */
export interface HostedCheckoutDeps {
  store: StandInStore;
  completeCheckoutSession(sessionId: string, options: CompleteSessionOptions): Promise<CompleteSessionResult>;
}

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const HTML_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  // The page runs no script and loads nothing: the policy makes that a guarantee, even for a hostile
  // `javascript:` cancel_url. A page holding card fields and session state must not be cached.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function html(status: number, body: string, extraHeaders: Record<string, string> = {}): PageResponse {
  return { status, headers: { ...HTML_HEADERS, ...extraHeaders }, body };
}

/** An http(s) URL, or undefined: only those are safe to hand to a browser as a link or redirect. */
function webUrl(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Stripe fills the `{CHECKOUT_SESSION_ID}` template in success_url (return_url, embedded) when it redirects. */
function successUrl(session: StoredCheckoutSession): string | undefined {
  const template = session.ui_mode === 'embedded_page' ? session.return_url : session.success_url;
  return webUrl(template?.replaceAll('{CHECKOUT_SESSION_ID}', session.id) ?? null);
}

/** An embedded session's page is framed: done, it tells the integrator's page rather than redirecting itself. */
function embeddedDone(session: StoredCheckoutSession): PageResponse {
  const page = embeddedCompletePage(session.id, successUrl(session));
  return { status: 200, ...page };
}

function savedCardLast4(store: StandInStore, session: StoredCheckoutSession): string | undefined {
  const setupIntent = session.setup_intent === null ? undefined : store.getSetupIntent(session.setup_intent);
  const paymentMethodId = setupIntent?.payment_method;
  return paymentMethodId == null ? undefined : store.getPaymentMethod(paymentMethodId)?.card?.last4;
}

function notFoundPage(): PageResponse {
  return html(
    404,
    messagePage({
      title: 'This checkout session does not exist',
      message: 'Check the link, or start again from the site that sent you here.',
      testMode: true,
    }),
  );
}

function savedPage(store: StandInStore, session: StoredCheckoutSession): PageResponse {
  const last4 = savedCardLast4(store, session);
  const href = successUrl(session);
  return html(
    200,
    messagePage({
      title: 'Your payment method was saved',
      message: `${last4 === undefined ? 'Your card' : `Your card ending in ${last4}`} is saved for future payments. You were not charged.`,
      testMode: !session.livemode,
      sessionId: session.id,
      ...(href === undefined ? {} : { link: { id: 'continue', href, text: 'Continue' } }),
    }),
  );
}

/** The page for a session the customer can no longer fill in, or undefined while it is open. */
function closedSessionPage(store: StandInStore, session: StoredCheckoutSession): PageResponse | undefined {
  const testMode = !session.livemode;
  if (session.status === 'complete')
    return session.ui_mode === 'embedded_page' ? embeddedDone(session) : savedPage(store, session);
  if (session.status === 'expired') {
    const href = webUrl(session.cancel_url);
    return html(
      410,
      messagePage({
        title: 'This checkout session has expired',
        message: 'Return to the site that sent you here to start again.',
        testMode,
        sessionId: session.id,
        ...(href === undefined ? {} : { link: { id: 'back', href, text: 'Return' } }),
      }),
    );
  }
  if (session.mode !== 'setup') {
    return html(
      501,
      messagePage({
        title: 'Only setup mode is supported',
        message: `The Stripe stand-in hosts setup-mode Checkout only; this session is in ${session.mode} mode.`,
        testMode,
        sessionId: session.id,
      }),
    );
  }
  return undefined;
}

interface CardForm {
  cardNumber: string;
  expiry: string;
  cvc: string;
  name: string;
}

type CardCheck =
  | { valid: true; number: string; expiry: { month: number; year: number } }
  | { valid: false; field: CardField; message: string };

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Messages as Stripe's card form words them. */
function checkCard(form: CardForm, now: Date): CardCheck {
  const number = form.cardNumber.replace(/[\s-]/g, '');
  if (number === '')
    return { valid: false, field: 'card_number', message: 'Your card number is incomplete.' };
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number))
    return { valid: false, field: 'card_number', message: 'Your card number is invalid.' };

  const expiry = form.expiry.trim();
  if (expiry === '')
    return { valid: false, field: 'expiry', message: "Your card's expiration date is incomplete." };
  const match = /^(\d{2})\s*\/\s*(\d{2})$/.exec(expiry);
  const month = Number(match?.[1]);
  const year = 2000 + Number(match?.[2]);
  if (match === null || month < 1 || month > 12)
    return { valid: false, field: 'expiry', message: "Your card's expiration date is invalid." };
  // A card is valid through the last day of its expiry month.
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1))
    return { valid: false, field: 'expiry', message: "Your card's expiration date is in the past." };

  const cvc = form.cvc.trim();
  if (cvc === '') return { valid: false, field: 'cvc', message: "Your card's security code is incomplete." };
  if (!/^\d{3,4}$/.test(cvc))
    return { valid: false, field: 'cvc', message: "Your card's security code is invalid." };
  return { valid: true, number, expiry: { month, year } };
}

function readCardForm(body: string): CardForm {
  const fields = new URLSearchParams(body);
  return {
    cardNumber: fields.get('card_number') ?? '',
    expiry: fields.get('expiry') ?? '',
    cvc: fields.get('cvc') ?? '',
    name: fields.get('name') ?? '',
  };
}

function formPage(
  store: StandInStore,
  session: StoredCheckoutSession,
  status: number,
  failure?: { form: CardForm; message: string; field?: CardField },
): PageResponse {
  const customer = session.customer === null ? undefined : store.customers.get(session.customer);
  return html(
    status,
    checkoutFormPage({
      sessionId: session.id,
      testMode: !session.livemode,
      email: customer?.email ?? session.customer_email,
      cancelUrl: webUrl(session.cancel_url) ?? null,
      ...(failure === undefined
        ? {}
        : {
            error: {
              message: failure.message,
              ...(failure.field === undefined ? {} : { field: failure.field }),
            },
            kept: { name: failure.form.name, expiry: failure.form.expiry },
          }),
    }),
  );
}

async function submitCard(
  deps: HostedCheckoutDeps,
  session: StoredCheckoutSession,
  body: string,
): Promise<PageResponse> {
  const form = readCardForm(body);
  const check = checkCard(form, new Date());
  if (!check.valid) return formPage(deps.store, session, 400, { form, ...check });

  let result: CompleteSessionResult;
  try {
    // The events this causes reach the webhook endpoint through the stand-in's delivery, as on Stripe.
    // The saved card carries what the customer typed, as Stripe's does (PaymentMethod.card.exp_month/exp_year).
    const name = form.name.trim();
    result = await deps.completeCheckoutSession(session.id, {
      card: check.number,
      expiry: check.expiry,
      ...(name ? { cardholderName: name } : {}),
    });
  } catch (error) {
    if (!(error instanceof StandInError)) throw error;
    return (
      closedSessionPage(deps.store, session) ??
      formPage(deps.store, session, error.status, { form, message: error.message })
    );
  }
  // 402 is Stripe's status for card errors; the session stays open for another attempt.
  if (result.declined)
    return formPage(deps.store, session, 402, { form, message: result.message, field: 'card_number' });
  // A failed webhook delivery does not change what the customer sees: Stripe retries deliveries later.
  if (result.session.ui_mode === 'embedded_page') return embeddedDone(result.session);
  const href = successUrl(result.session);
  return href === undefined ? savedPage(deps.store, result.session) : html(303, '', { Location: href });
}

export async function handleHostedCheckout(
  deps: HostedCheckoutDeps,
  method: string,
  sessionId: string,
  body: string,
): Promise<PageResponse> {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST')
    return html(
      405,
      messagePage({
        title: 'Method not allowed',
        message: `${method} is not supported here.`,
        testMode: true,
      }),
      {
        Allow: 'GET, HEAD, POST',
      },
    );
  const session = deps.store.getCheckoutSession(sessionId);
  if (session === undefined) return notFoundPage();
  const closed = closedSessionPage(deps.store, session);
  if (closed !== undefined) return closed;
  return method === 'POST' ? submitCard(deps, session, body) : formPage(deps.store, session, 200);
}
