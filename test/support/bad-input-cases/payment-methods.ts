import { send } from '../http';
import { bearer } from '../tokens';
import { type CorpusContext, error, HOSTILE_STRINGS, type HttpCase, unauthorized } from './context';

type Send = HttpCase['send'];
type Auth = (context: CorpusContext) => Record<string, string> | Promise<Record<string, string>>;
const asOwner: Auth = (context) => bearer(context.owner.token);
const noAuth: Auth = () => ({});
/** The form route's token: refused by API Gateway's authorizer on every other route. */
const formToken: Auth = (context) => bearer(context.owner.formToken);
const expired: Auth = async (context) =>
  bearer(await context.issuer.tokenFor(context.owner.customerId, { expiresIn: -60 }));

const call =
  (
    method: string,
    path: (context: CorpusContext) => string,
    init: { auth?: Auth; body?: string; type?: string } = {},
  ): Send =>
  async (context) =>
    send(`${context.apiUrl}${path(context)}`, {
      method,
      headers: {
        ...(init.type ? { 'content-type': init.type } : {}),
        ...(await (init.auth ?? asOwner)(context)),
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });

const enc = encodeURIComponent;
const MISSING_PM = 'pm_corpusmissing000000000000';
const LIST = 'GET /payment-methods';
const DEFAULT = 'POST /payment-methods/{id}/default';
const REMOVE = 'DELETE /payment-methods/{id}';
const CHANGE = 'GET /payment-methods/changes/{id}';

const list = (query: string, auth?: Auth) => call('GET', () => `/payment-methods${query}`, { auth });
const makeDefault = (
  id: (c: CorpusContext) => string,
  body?: string,
  type = 'application/json',
  auth?: Auth,
) =>
  call('POST', (c) => `/payment-methods/${id(c)}/default`, {
    auth,
    type,
    ...(body !== undefined ? { body } : {}),
  });
const remove = (id: (c: CorpusContext) => string, query = '', auth?: Auth) =>
  call('DELETE', (c) => `/payment-methods/${id(c)}${query}`, { auth });
const change = (id: string, query = '', auth?: Auth) =>
  call('GET', () => `/payment-methods/changes/${id}${query}`, { auth });

const cases: [string, string, Send, HttpCase['expected']][] = [
  [LIST, 'no token', list('', noAuth), unauthorized],
  [LIST, 'an expired token', list('', expired), unauthorized],
  [LIST, 'a form token as the bearer token', list('', formToken), unauthorized],
  [LIST, 'limit 0', list('?limit=0'), error(400, 'invalid_request')],
  [LIST, 'limit 101', list('?limit=101'), error(400, 'invalid_request')],
  [LIST, 'limit not a number', list('?limit=ten'), error(400, 'invalid_request')],
  [
    LIST,
    'a cursor that is not a PaymentMethod id',
    list(`?starting_after=${enc(HOSTILE_STRINGS.sqlInjection)}`),
    error(400),
  ],
  [LIST, 'an unknown query parameter', list('?type=card'), error(400, 'invalid_request')],

  [DEFAULT, 'no token', makeDefault(() => MISSING_PM, '{}', 'application/json', noAuth), unauthorized],
  [DEFAULT, 'a missing method', makeDefault(() => MISSING_PM, '{}'), error(404, 'payment_method_not_found')],
  [
    DEFAULT,
    'another customer’s method',
    makeDefault((c) => c.otherPaymentMethodId, '{}'),
    error(404, 'payment_method_not_found'),
  ],
  [
    DEFAULT,
    'an id that is not a PaymentMethod id',
    makeDefault(() => enc(HOSTILE_STRINGS.htmlInjection), '{}'),
    error(400, 'invalid_request'),
  ],
  [
    DEFAULT,
    'a body that is not JSON',
    makeDefault(() => MISSING_PM, '{"subscription":'),
    error(400, 'invalid_json'),
  ],
  [DEFAULT, 'a JSON array', makeDefault(() => MISSING_PM, '[]'), error(400, 'invalid_request')],
  [
    DEFAULT,
    'an unknown field',
    makeDefault(() => MISSING_PM, '{"subscriptions":"all"}'),
    error(400, 'invalid_request'),
  ],
  [
    DEFAULT,
    'a subscription that is not an id',
    makeDefault(() => MISSING_PM, JSON.stringify({ subscription: HOSTILE_STRINGS.templateInjection })),
    error(400, 'invalid_request'),
  ],
  [
    DEFAULT,
    'a form token as the bearer token',
    makeDefault(() => MISSING_PM, '{}', 'application/json', formToken),
    unauthorized,
  ],
  [
    DEFAULT,
    'a percent sign without hex digits in the id',
    makeDefault(() => 'pm_%ZZ', '{}'),
    error(400, 'invalid_request'),
  ],
  [
    DEFAULT,
    'a form body',
    makeDefault(() => MISSING_PM, 'subscription=all', 'application/x-www-form-urlencoded'),
    error(415, 'unsupported_media_type'),
  ],

  [REMOVE, 'no token', remove(() => MISSING_PM, '', noAuth), unauthorized],
  [REMOVE, 'a form token as the bearer token', remove(() => MISSING_PM, '', formToken), unauthorized],
  [REMOVE, 'broken percent-encoding in the id', remove(() => 'pm_%E0%A4%A'), error(400, 'invalid_request')],
  [
    REMOVE,
    'a method id of 250 characters',
    remove(() => `pm_${'a'.repeat(247)}`),
    error(404, 'payment_method_not_found'),
  ],
  [REMOVE, 'a missing method', remove(() => MISSING_PM), error(404, 'payment_method_not_found')],
  [
    REMOVE,
    'another customer’s method',
    remove((c) => c.otherPaymentMethodId),
    error(404, 'payment_method_not_found'),
  ],
  [
    REMOVE,
    'an id with a null byte',
    remove(() => enc(HOSTILE_STRINGS.nullByte)),
    error(400, 'invalid_request'),
  ],
  [
    REMOVE,
    'a replacement that is not an id',
    remove(() => MISSING_PM, `?replaceWith=${enc(HOSTILE_STRINGS.emoji)}`),
    error(400, 'invalid_request'),
  ],
  [
    REMOVE,
    'itself as its replacement',
    remove(() => MISSING_PM, `?replaceWith=${MISSING_PM}`),
    error(400, 'invalid_request'),
  ],
  [
    REMOVE,
    'an unknown query parameter',
    remove(() => MISSING_PM, '?force=true'),
    error(400, 'invalid_request'),
  ],

  [CHANGE, 'no token', change('chg_corpus0000', '', noAuth), unauthorized],
  [CHANGE, 'an unknown change', change('chg_corpus0000'), error(404, 'change_not_found')],
  [
    CHANGE,
    'an id that is not a change id',
    change(enc(HOSTILE_STRINGS.rightToLeft)),
    error(400, 'invalid_request'),
  ],
  [CHANGE, 'a setup id', change('seti_corpus0000'), error(400, 'invalid_request')],
  [
    CHANGE,
    'an unknown query parameter',
    change('chg_corpus0000', '?verbose=1'),
    error(400, 'invalid_request'),
  ],
  [CHANGE, 'broken percent-encoding', change('chg_%E0%A4%A'), error(400, 'invalid_request')],
];

/** Cases that need the other customer's ids in the URL are built here, where the context is known. */
const otherCustomerCases: [string, string, Send, HttpCase['expected']][] = [
  [
    LIST,
    'another customer named in the query',
    async (c) => list(`?customer=${c.other.customerId}`)(c),
    error(403, 'customer_mismatch'),
  ],
  [
    DEFAULT,
    'another customer named in the body',
    async (c) => makeDefault(() => MISSING_PM, JSON.stringify({ customer: c.other.customerId }))(c),
    error(403, 'customer_mismatch'),
  ],
  [
    REMOVE,
    'another customer’s method as the replacement',
    async (c) => remove(() => MISSING_PM, `?replaceWith=${c.otherPaymentMethodId}`)(c),
    error(404, 'payment_method_not_found'),
  ],
];

export const paymentMethodCases: HttpCase[] = [...cases, ...otherCustomerCases].map(
  ([route, name, sendCase, expected]) => ({ route, name, send: sendCase, expected }),
);
