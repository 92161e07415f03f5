import { send } from '../http';
import { bearer } from '../tokens';
import { type CorpusContext, error, HOSTILE_STRINGS, type HttpCase, unauthorized } from './context';

type Fields = [string, string][];

/** The seed's HTML form, as a browser posts it: fields in order, repeats allowed. */
function form(
  fields: (context: CorpusContext) => Fields | Promise<Fields>,
  contentType = 'application/x-www-form-urlencoded',
  browserHeaders: Record<string, string> = {},
) {
  return async (context: CorpusContext) =>
    send(`${context.apiUrl}/create-checkout-session`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...browserHeaders },
      body: new URLSearchParams(await fields(context)).toString(),
    });
}

/** What a browser adds when another site's page posts the form (login CSRF with the attacker's token). */
const fromOtherSite = (headers: Record<string, string>) =>
  form(asAttacker, 'application/x-www-form-urlencoded', headers);
const asAttacker = (context: CorpusContext): Fields => [
  ['customer', context.other.customerId],
  ['token', context.other.formToken],
];

const asOwner =
  (token: (context: CorpusContext) => string | Promise<string>) => async (context: CorpusContext) =>
    [
      ['customer', context.owner.customerId],
      ['token', await token(context)],
    ] satisfies Fields;

const FORM = 'POST /create-checkout-session';
const formCases: [string, HttpCase['send'], HttpCase['expected']][] = [
  [
    'a cross-site post from another origin (login CSRF)',
    fromOtherSite({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    error(403, 'cross_site_request'),
  ],
  [
    'an Origin outside the allowed origins',
    fromOtherSite({ origin: 'https://evil.example' }),
    error(403, 'cross_site_request'),
  ],
  ['Origin: null (a sandboxed frame)', fromOtherSite({ origin: 'null' }), error(403, 'cross_site_request')],
  [
    'Sec-Fetch-Site: cross-site with no Origin',
    fromOtherSite({ 'sec-fetch-site': 'cross-site' }),
    error(403, 'cross_site_request'),
  ],
  [
    'no token field',
    form((context) => [['customer', context.owner.customerId]]),
    error(401, 'unauthenticated'),
  ],
  ['an empty token field', form(asOwner(() => '')), error(401, 'unauthenticated')],
  [
    'the token in an Authorization header (a form cannot send one)',
    async (context) =>
      send(`${context.apiUrl}/create-checkout-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(context.owner.token) },
        body: `customer=${context.owner.customerId}`,
      }),
    error(401, 'unauthenticated'),
  ],
  [
    'an expired token',
    form(asOwner((c) => c.issuer.tokenFor(c.owner.customerId, { expiresIn: -60 }))),
    error(401),
  ],
  [
    'a token for another audience',
    form(asOwner((c) => c.issuer.tokenFor(c.owner.customerId, { audience: 'x' }))),
    error(401),
  ],
  ['a token signed with another key', form(asOwner((c) => c.forged.otherKey)), error(401, 'unauthenticated')],
  ['an unsigned token (alg none)', form(asOwner((c) => c.forged.unsigned)), error(401, 'unauthenticated')],
  ['an HMAC token', form(asOwner((c) => c.forged.hmac)), error(401, 'unauthenticated')],
  ['another customer’s form token', form(asOwner((c) => c.other.formToken)), error(403, 'customer_mismatch')],
  [
    'the identity provider’s own token (a sign-in token, not a form token)',
    form(asOwner((c) => c.owner.token)),
    error(401, 'unauthenticated'),
  ],
  ['an expired form token', form(asOwner((c) => c.forgedFormTokens.expired)), error(401, 'unauthenticated')],
  [
    'a form token signed with another secret',
    form(asOwner((c) => c.forgedFormTokens.otherSecret)),
    error(401, 'unauthenticated'),
  ],
  [
    'another customer’s subscription',
    form((c) => [
      ['token', c.owner.formToken],
      ['subscription', c.other.subscriptionId],
    ]),
    error(403, 'subscription_not_owned'),
  ],
  ['a token field that is not a JWT', form(asOwner(() => 'not-a-jwt')), error(400, 'invalid_request')],
  [
    'a 10 000-character token',
    form(asOwner(() => `a.${'b'.repeat(10_000)}.c`)),
    error(400, 'invalid_request'),
  ],
  [
    'fields named constructor and __proto__, constructor twice',
    form((c) => [
      ['constructor', 'a'],
      ['constructor', 'b'],
      ['__proto__', 'x'],
      ['token', c.owner.formToken],
    ]),
    error(400, 'invalid_request'),
  ],
  [
    'the customer field twice',
    form((c) => [
      ['customer', c.owner.customerId],
      ['customer', c.other.customerId],
      ['token', c.owner.formToken],
    ]),
    error(400, 'invalid_request'),
  ],
  [
    'HTML as the customer',
    form((c) => [
      ['customer', HOSTILE_STRINGS.htmlInjection],
      ['token', c.owner.formToken],
    ]),
    error(400),
  ],
  [
    'unicode as the subscription',
    form((c) => [
      ['subscription', 'sub_💳'],
      ['token', c.owner.formToken],
    ]),
    error(400),
  ],
  [
    'JSON instead of a form',
    form(
      asOwner((c) => c.owner.formToken),
      'application/json',
    ),
    error(415, 'unsupported_media_type'),
  ],
  [
    'a 20 KiB form',
    form((c) => [
      ['token', c.owner.formToken],
      ['padding', 'x'.repeat(20 * 1024)],
    ]),
    error(413),
  ],
];

/** GET /checkout-sessions/{id}, the id already URL-encoded, as the owner unless told otherwise. */
function status(
  id: (context: CorpusContext) => string,
  auth: (context: CorpusContext) => Record<string, string> | Promise<Record<string, string>> = (c) =>
    bearer(c.owner.token),
  query: (context: CorpusContext) => string = () => '',
) {
  return async (context: CorpusContext) =>
    send(`${context.apiUrl}/checkout-sessions/${id(context)}${query(context)}`, {
      headers: await auth(context),
    });
}
const ownSession = (context: CorpusContext) => context.ownerSessionId;

const STATUS = 'GET /checkout-sessions/{id}';
const statusCases: [string, HttpCase['send'], HttpCase['expected']][] = [
  ['no Authorization header', status(ownSession, () => ({})), unauthorized],
  [
    'an expired token',
    status(ownSession, async (c) => bearer(await c.issuer.tokenFor(c.owner.customerId, { expiresIn: -60 }))),
    unauthorized,
  ],
  ['a token signed with another key', status(ownSession, (c) => bearer(c.forged.otherKey)), unauthorized],
  [
    'another customer’s session',
    status(ownSession, (c) => bearer(c.other.token)),
    error(404, 'session_not_found'),
  ],
  ['a session that does not exist', status(() => 'cs_test_doesnotexist'), error(404, 'session_not_found')],
  ['an id that is not a session id', status(() => 'pi_123'), error(400, 'invalid_request')],
  ['SQL as the id', status(() => encodeURIComponent("cs_test_1' OR 1=1--")), error(400, 'invalid_request')],
  ['unicode as the id', status(() => encodeURIComponent('cs_test_ТЕСТ')), error(400, 'invalid_request')],
  ['a path traversal as the id', status(() => '..%2F..%2Fetc%2Fpasswd'), error(400, 'invalid_request')],
  ['broken percent-encoding in the id', status(() => 'cs_test_%E0%A4%A'), error(400, 'invalid_request')],
  ['a percent sign without hex digits in the id', status(() => 'cs_test_%ZZ'), error(400, 'invalid_request')],
  [
    'a session id of 250 characters (over SQS’s 128 for a group id)',
    status(() => `cs_test_${'a'.repeat(242)}`),
    error(404, 'session_not_found'),
  ],
  ['a form token as the bearer token', status(ownSession, (c) => bearer(c.owner.formToken)), unauthorized],
  [
    'a token valid for a hundred years',
    status(ownSession, async (c) =>
      bearer(await c.issuer.tokenFor(c.owner.customerId, { expiresIn: 100 * 365 * 24 * 3600 })),
    ),
    error(401, 'unauthenticated'),
  ],
  [
    '?customer= another customer',
    status(ownSession, undefined, (c) => `?customer=${c.other.customerId}`),
    error(403, 'customer_mismatch'),
  ],
  [
    'an unknown query parameter',
    status(ownSession, undefined, () => '?expand=customer'),
    error(400, 'invalid_request'),
  ],
  [
    '?customer= twice',
    status(ownSession, undefined, (c) => `?customer=${c.owner.customerId}&customer=${c.owner.customerId}`),
    error(400, 'invalid_request'),
  ],
  [
    'HTML as ?customer=',
    status(ownSession, undefined, () => `?customer=${encodeURIComponent(HOSTILE_STRINGS.htmlInjection)}`),
    error(400),
  ],
];

export const formAndStatusCases: HttpCase[] = [
  ...formCases.map(([name, send, expected]) => ({ route: FORM, name, send, expected })),
  ...statusCases.map(([name, send, expected]) => ({ route: STATUS, name, send, expected })),
];
