import type { LocalJwtIssuer } from '../../../dev/local-jwt-issuer';
import type { StoredEvent } from '../../../dev/stripe-stand-in';
import type { HttpReply } from '../http';
import type { forgedTokens } from '../tokens';

/** What the corpus's cases are built from: two customers, their tokens, a session and a signed event. */
export interface CorpusContext {
  apiUrl: string;
  webhookUrl: string;
  /** The same webhook wired for a live-mode account (STRIPE_MODE=live). */
  liveWebhookUrl: string;
  webhookSecret: string;
  issuer: LocalJwtIssuer;
  owner: CorpusCustomer;
  other: CorpusCustomer;
  /** An open session of the owner's. */
  ownerSessionId: string;
  /** A genuine checkout.session.completed (setup mode) of one of the owner's sessions. */
  completedEvent: StoredEvent;
  forged: Awaited<ReturnType<typeof forgedTokens>>;
  /** Form tokens the service would refuse: past their expiry, and signed with another secret. */
  forgedFormTokens: { expired: string; otherSecret: string };
  /** A card saved on the other customer: the owner must not be able to see, switch or remove it. */
  otherPaymentMethodId: string;
}

export interface CorpusCustomer {
  customerId: string;
  subscriptionId: string;
  /** The identity provider's token: a bearer token for the API. */
  token: string;
  /** A form token from `POST /form-tokens`: for the HTML form route only. */
  formToken: string;
}

/**
 * What every case must answer. `error`: the service's JSON error, optionally with this code;
 * `unauthorized`: API Gateway's JWT authorizer's own body; `ignored`: the webhook's 200 that tells Stripe
 * to stop retrying an event this service does not act on.
 */
export type Expected =
  | { status: number; body: 'error'; code?: string }
  | { status: 401; body: 'unauthorized' }
  | { status: 200; body: 'ignored' };

export interface HttpCase {
  route: string;
  name: string;
  send(context: CorpusContext): Promise<HttpReply>;
  expected: Expected;
}

export const unauthorized: Expected = { status: 401, body: 'unauthorized' };
export const ignored: Expected = { status: 200, body: 'ignored' };
export const error = (status: number, code?: string): Expected => ({ status, body: 'error', code });

/** Strings that have broken other services' parsers, queries, templates and logs. */
export const HOSTILE_STRINGS = {
  sqlInjection: "cus_1' OR '1'='1",
  htmlInjection: '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  templateInjection: '${process.env.STRIPE_SECRET_KEY}',
  unicodeLookalike: 'cus_ТЕСТ',
  nullByte: 'cus_abc\u0000def',
  rightToLeft: 'cus_\u202Eevil',
  emoji: 'cus_💳',
  newline: 'cus_abc\r\nX-Injected: 1',
} as const;
