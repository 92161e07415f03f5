import { send } from '../http';
import { bearer } from '../tokens';
import { type CorpusContext, error, HOSTILE_STRINGS, type HttpCase, unauthorized } from './context';

type Headers = Record<string, string>;
type Body = string | Buffer | object;

/** POST /checkout-sessions with a JSON body (or raw bytes), as the owner unless told otherwise. */
function create(
  body: Body | ((context: CorpusContext) => Body),
  auth: (context: CorpusContext) => Headers | Promise<Headers> = (context) => bearer(context.owner.token),
  contentType: string | null = 'application/json',
  query = '',
) {
  return async (context: CorpusContext) => {
    const value = typeof body === 'function' ? body(context) : body;
    return send(`${context.apiUrl}/checkout-sessions${query}`, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(await auth(context)) },
      body: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
    });
  };
}

const withToken =
  (mint: (context: CorpusContext) => Promise<string> | string) => async (context: CorpusContext) =>
    bearer(await mint(context));
const ownerToken = (options: Parameters<CorpusContext['issuer']['tokenFor']>[1]) =>
  withToken((context) => context.issuer.tokenFor(context.owner.customerId, options));
const redirect = (successUrl: string) => create({ successUrl });

const ROUTE = 'POST /checkout-sessions';
const cases: [string, HttpCase['send'], HttpCase['expected']][] = [
  // Who is calling: API Gateway's JWT authorizer refuses these before the function runs.
  ['no Authorization header', create({}, () => ({})), unauthorized],
  ['an empty bearer token', create({}, () => ({ authorization: 'Bearer ' })), unauthorized],
  [
    'a bearer token that is not a JWT',
    create({}, () => ({ authorization: 'Bearer not.a.jwt' })),
    unauthorized,
  ],
  [
    'Basic credentials instead of a token',
    create({}, () => ({ authorization: 'Basic dXNlcjpwYXNz' })),
    unauthorized,
  ],
  ['an expired token', create({}, ownerToken({ expiresIn: -60 })), unauthorized],
  ['a token not valid for another hour (nbf)', create({}, ownerToken({ notBefore: 3600 })), unauthorized],
  ['a token issued in the future (iat)', create({}, ownerToken({ issuedAt: 3600 })), unauthorized],
  ['a token without an expiry', create({}, ownerToken({ expiresIn: null })), unauthorized],
  ['a token for another audience', create({}, ownerToken({ audience: 'another-api' })), unauthorized],
  ['a token without an audience', create({}, ownerToken({ audience: null })), unauthorized],
  ['a token from another issuer', create({}, ownerToken({ issuer: 'https://evil.example' })), unauthorized],
  ['a token without a key id', create({}, ownerToken({ kid: null })), unauthorized],
  [
    'a token signed with another key',
    create(
      {},
      withToken((context) => context.forged.otherKey),
    ),
    unauthorized,
  ],
  [
    'a token naming an unpublished key',
    create(
      {},
      withToken((context) => context.forged.unknownKid),
    ),
    unauthorized,
  ],
  [
    'an unsigned token (alg none)',
    create(
      {},
      withToken((context) => context.forged.unsigned),
    ),
    unauthorized,
  ],
  [
    'an HMAC token (algorithm confusion)',
    create(
      {},
      withToken((context) => context.forged.hmac),
    ),
    unauthorized,
  ],
  [
    'a genuine token with changed claims',
    create(
      {},
      withToken((context) => context.forged.tampered),
    ),
    unauthorized,
  ],
  [
    'the token in the query string, not the header',
    async (context) =>
      create({}, () => ({}), 'application/json', `?access_token=${context.owner.token}`)(context),
    unauthorized,
  ],
  // Whose customer: the token decides.
  [
    'another customer named in the body',
    create((context) => ({ customer: context.other.customerId })),
    error(403, 'customer_mismatch'),
  ],
  [
    'another customer’s subscription',
    create((context) => ({ subscription: context.other.subscriptionId })),
    error(403, 'subscription_not_owned'),
  ],
  [
    'a token that names no customer',
    create(
      {},
      withToken((context) => context.issuer.mint({ sub: 'u1' })),
    ),
    error(403, 'no_customer_claim'),
  ],
  [
    'a token whose customer claim is an injection string',
    create(
      {},
      withToken((context) => context.issuer.mint({ stripe_customer_id: HOSTILE_STRINGS.sqlInjection })),
    ),
    error(403, 'no_customer_claim'),
  ],
  // Bytes that are not the request the API takes.
  ['malformed JSON', create('{"customer": '), error(400, 'invalid_json')],
  ['truncated JSON', create('{"subscription":"sub_1"'), error(400, 'invalid_json')],
  ['a JSON array', create('[]'), error(400, 'invalid_request')],
  ['a JSON string', create('"cus_1"'), error(400, 'invalid_request')],
  ['JSON null', create('null'), error(400, 'invalid_request')],
  ['a 20 KiB body', create({ padding: 'x'.repeat(20 * 1024) }), error(413, 'payload_too_large')],
  ['text/plain', create('{}', undefined, 'text/plain'), error(415, 'unsupported_media_type')],
  ['no content type', create(Buffer.from('{}'), undefined, null), error(415, 'unsupported_media_type')],
  ['a form body', create('customer=cus_1', undefined, 'application/x-www-form-urlencoded'), error(415)],
  ['an unknown field', create({ successURL: 'https://app.example.com/' }), error(400, 'invalid_request')],
  ['a __proto__ key', create('{"__proto__":{"admin":true}}'), error(400, 'invalid_request')],
  ['a customer id of the wrong kind', create({ customer: 'sub_123' }), error(400, 'invalid_request')],
  ['a customer that is null', create({ customer: null }), error(400, 'invalid_request')],
  ['a subscription that is a number', create({ subscription: 42 }), error(400, 'invalid_request')],
  [
    'HTML as the subscription',
    create({ subscription: HOSTILE_STRINGS.htmlInjection }),
    error(400, 'invalid_request'),
  ],
  [
    'SQL as the subscription',
    create({ subscription: `sub_1'; DROP TABLE x;--` }),
    error(400, 'invalid_request'),
  ],
  ['a currency that is a word', create({ currency: 'dollars' }), error(400, 'invalid_request')],
  ['a currency of symbols', create({ currency: '€€€' }), error(400, 'invalid_request')],
  ['a currency with a space', create({ currency: 'US D' }), error(400, 'invalid_request')],
  // Open redirects: Checkout would send the customer's browser wherever these point.
  ['a javascript: success URL', redirect('javascript:alert(document.cookie)'), error(400, 'invalid_request')],
  ['a protocol-relative success URL', redirect('//evil.example/done'), error(400, 'invalid_request')],
  ['a relative success URL', redirect('/done'), error(400, 'invalid_request')],
  [
    'a data: cancel URL',
    create({ cancelUrl: 'data:text/html,<script>alert(1)</script>' }),
    error(400, 'invalid_request'),
  ],
  [
    'a 3000-character success URL',
    redirect(`https://app.example.com/${'a'.repeat(3000)}`),
    error(400, 'invalid_request'),
  ],
  [
    'a success URL on another host',
    redirect('https://evil.example/phish'),
    error(400, 'redirect_not_allowed'),
  ],
  [
    'user info hiding the host',
    redirect('https://app.example.com@evil.example/'),
    error(400, 'redirect_not_allowed'),
  ],
  ['a lookalike host', redirect('https://app.example.com.evil.example/'), error(400, 'redirect_not_allowed')],
  ['a Cyrillic lookalike host', redirect('https://аpp.example.com/'), error(400, 'redirect_not_allowed')],
  [
    'an allowed host on another port',
    redirect('https://app.example.com:8443/'),
    error(400, 'redirect_not_allowed'),
  ],
  [
    'an allowed host over plain http',
    redirect('http://app.example.com/'),
    error(400, 'redirect_not_allowed'),
  ],
  [
    'a backslash parsers disagree on',
    redirect('https://app.example.com\\@evil.example/'),
    error(400, 'redirect_not_allowed'),
  ],
];

// Every hostile string as the customer: refused by the schema before anything reads it.
for (const [label, value] of Object.entries(HOSTILE_STRINGS)) {
  cases.push([`customer: ${label}`, create({ customer: value }), error(400, 'invalid_request')]);
}

export const createSessionJsonCases: HttpCase[] = cases.map(([name, send, expected]) => ({
  route: ROUTE,
  name,
  send,
  expected,
}));
