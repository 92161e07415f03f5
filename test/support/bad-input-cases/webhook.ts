import { createHmac } from 'node:crypto';
import { signPayload } from '../../../dev/stripe-stand-in';
import { send } from '../http';
import { type CorpusContext, error, type HttpCase, ignored } from './context';

type Event = Record<string, unknown>;
type Signer = (payload: string, context: CorpusContext) => string | undefined;

const genuine: Signer = (payload, context) => signPayload(payload, context.webhookSecret);
const now = () => Math.floor(Date.now() / 1000);
const hmac = (payload: string, secret: string, t: number) =>
  createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex');

/** Delivers raw bytes to the webhook, signed as told, with a content type. */
function deliver(
  body: (context: CorpusContext) => string,
  options: { sign?: Signer; contentType?: string | null; url?: (context: CorpusContext) => string } = {},
) {
  const {
    sign = genuine,
    contentType = 'application/json; charset=utf-8',
    url = (c) => c.webhookUrl,
  } = options;
  return async (context: CorpusContext) => {
    const payload = body(context);
    const signature = sign(payload, context);
    return send(url(context), {
      method: 'POST',
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(signature !== undefined ? { 'stripe-signature': signature } : {}),
      },
      body: contentType ? payload : Buffer.from(payload),
    });
  };
}

/** The genuine completed-session event, changed. */
const event = (change: (original: Event, context: CorpusContext) => Event) => (context: CorpusContext) =>
  JSON.stringify(change(context.completedEvent as unknown as Event, context));
const completed = event((original) => original);
const withSession = (fields: Event) =>
  event((original) => {
    const data = original.data as { object: Event };
    return { ...original, data: { object: { ...data.object, ...fields } } };
  });

const ROUTE = 'POST /webhooks/stripe';
const cases: [string, HttpCase['send'], HttpCase['expected']][] = [
  // Signatures: nothing unsigned by the endpoint's secret is read.
  [
    'no Stripe-Signature header',
    deliver(completed, { sign: () => undefined }),
    error(400, 'invalid_signature'),
  ],
  [
    'an empty Stripe-Signature header',
    deliver(completed, { sign: () => '' }),
    error(400, 'invalid_signature'),
  ],
  [
    'signed with another secret',
    deliver(completed, { sign: (p) => signPayload(p, 'whsec_forged') }),
    error(400, 'invalid_signature'),
  ],
  [
    'signed with a rotated-out secret',
    deliver(completed, { sign: (p) => signPayload(p, 'whsec_old_0123456789abcdefghijkl') }),
    error(400, 'invalid_signature'),
  ],
  [
    'a stale signature (a replay 10 minutes later)',
    deliver(completed, { sign: (p, c) => signPayload(p, c.webhookSecret, now() - 600) }),
    error(400, 'invalid_signature'),
  ],
  [
    // Stricter than the stripe SDK, which checks only age: a forward-dated signature is not fresher.
    'a signature dated an hour in the future',
    deliver(completed, { sign: (p, c) => signPayload(p, c.webhookSecret, now() + 3600) }),
    error(400, 'invalid_signature'),
  ],
  [
    'a timestamp that is not a number',
    deliver(completed, { sign: (p, c) => `t=abc,v1=${hmac(p, c.webhookSecret, now())}` }),
    error(400),
  ],
  [
    'a v1 that is not hex',
    deliver(completed, { sign: () => `t=${now()},v1=${'z'.repeat(64)}` }),
    error(400, 'invalid_signature'),
  ],
  [
    'two v1 signatures, both wrong',
    deliver(completed, {
      sign: (p) => `t=${now()},v1=${hmac(p, 'whsec_a', now())},v1=${hmac(p, 'whsec_b', now())}`,
    }),
    error(400, 'invalid_signature'),
  ],
  [
    'a v0 (test) signature only',
    deliver(completed, { sign: (p, c) => `t=${now()},v0=${hmac(p, c.webhookSecret, now())}` }),
    error(400, 'invalid_signature'),
  ],
  [
    'a body changed after signing',
    async (context) => {
      const original = completed(context);
      return send(context.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': genuine(original, context) ?? '' },
        body: original.replace('"livemode":false', '"livemode":true'),
      });
    },
    error(400, 'invalid_signature'),
  ],
  // Signed, but not a Stripe event this deployment reads.
  [
    'signed text/plain',
    deliver(completed, { contentType: 'text/plain' }),
    error(415, 'unsupported_media_type'),
  ],
  [
    'signed with no content type',
    deliver(completed, { contentType: null }),
    error(415, 'unsupported_media_type'),
  ],
  ['signed bytes that are not JSON', deliver(() => 'not json at all'), error(400, 'invalid_json')],
  ['signed, truncated JSON', deliver((c) => completed(c).slice(0, 40)), error(400, 'invalid_json')],
  ['a signed JSON array', deliver(() => '[]'), error(400, 'invalid_event')],
  [
    'a signed 300 KiB body',
    deliver(event((o) => ({ ...o, padding: 'x'.repeat(300 * 1024) }))),
    error(413, 'payload_too_large'),
  ],
  [
    'a test-mode event at a live deployment',
    deliver(completed, { url: (c) => c.liveWebhookUrl }),
    error(400, 'livemode_mismatch'),
  ],
  [
    'a live-mode event at a test deployment',
    deliver(event((o) => ({ ...o, livemode: true }))),
    error(400, 'livemode_mismatch'),
  ],
  [
    'an event without livemode',
    deliver(event(({ livemode: _omitted, ...rest }) => rest)),
    error(400, 'invalid_event'),
  ],
  ['an event without a type', deliver(event(({ type: _omitted, ...rest }) => rest)), error(400)],
  [
    'a completed event without its session',
    deliver(event((o) => ({ ...o, data: {} }))),
    error(400, 'invalid_event'),
  ],
  [
    'HTML as the session id',
    deliver(withSession({ id: 'cs_test_<script>alert(1)</script>' })),
    error(400, 'invalid_event'),
  ],
  ['unicode as the customer', deliver(withSession({ customer: 'cus_ТЕСТ' })), error(400, 'invalid_event')],
  [
    'SQL as the SetupIntent',
    deliver(withSession({ setup_intent: "seti_1' OR '1'='1" })),
    error(400, 'invalid_event'),
  ],
  // Not this service's business: 200, so Stripe does not retry it for three days.
  ['an event for a connected account', deliver(event((o) => ({ ...o, account: 'acct_1Other' }))), ignored],
  [
    'an event type the service does not handle',
    deliver(event((o) => ({ ...o, type: 'invoice.paid' }))),
    ignored,
  ],
  ['a payment-mode session', deliver(withSession({ mode: 'payment' })), ignored],
  ['a subscription-mode session', deliver(withSession({ mode: 'subscription' })), ignored],
  [
    'a SetupIntent another integration created',
    deliver(
      event((o) => ({
        ...o,
        type: 'setup_intent.succeeded',
        data: { object: { id: 'seti_1Other', object: 'setup_intent', customer: 'cus_1', metadata: {} } },
      })),
    ),
    ignored,
  ],
];

export const webhookCases: HttpCase[] = cases.map(([name, send, expected]) => ({
  route: ROUTE,
  name,
  send,
  expected,
}));
