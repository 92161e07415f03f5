import { send } from '../http';
import { bearer } from '../tokens';
import { type CorpusContext, error, HOSTILE_STRINGS, type HttpCase, unauthorized } from './context';

/** `POST /form-tokens` as the owner unless told otherwise. */
function mint(
  body: string | undefined,
  init: { type?: string; auth?: (c: CorpusContext) => Record<string, string> } = {},
): HttpCase['send'] {
  return async (context) =>
    send(`${context.apiUrl}/form-tokens`, {
      method: 'POST',
      headers: {
        ...(init.type === undefined
          ? { 'content-type': 'application/json' }
          : init.type
            ? { 'content-type': init.type }
            : {}),
        ...(init.auth ?? ((c: CorpusContext) => bearer(c.owner.token)))(context),
      },
      ...(body !== undefined ? { body } : {}),
    });
}

const ROUTE = 'POST /form-tokens';
const cases: [string, HttpCase['send'], HttpCase['expected']][] = [
  ['no Authorization header', mint('{}', { auth: () => ({}) }), unauthorized],
  ['a form token as the bearer token', mint('{}', { auth: (c) => bearer(c.owner.formToken) }), unauthorized],
  ['a token signed with another key', mint('{}', { auth: (c) => bearer(c.forged.otherKey) }), unauthorized],
  [
    'another customer named in the body',
    async (c) => mint(JSON.stringify({ customer: c.other.customerId }))(c),
    error(403, 'customer_mismatch'),
  ],
  ['malformed JSON', mint('{"customer": '), error(400, 'invalid_json')],
  ['a JSON array', mint('[]'), error(400, 'invalid_request')],
  ['an unknown field', mint('{"audience":"everything"}'), error(400, 'invalid_request')],
  [
    'HTML as the customer',
    mint(JSON.stringify({ customer: HOSTILE_STRINGS.htmlInjection })),
    error(400, 'invalid_request'),
  ],
  ['text/plain', mint('{}', { type: 'text/plain' }), error(415, 'unsupported_media_type')],
  [
    'a 20 KiB body',
    mint(JSON.stringify({ padding: 'x'.repeat(20 * 1024) })),
    error(413, 'payload_too_large'),
  ],
];

export const formTokenCases: HttpCase[] = cases.map(([name, sendCase, expected]) => ({
  route: ROUTE,
  name,
  send: sendCase,
  expected,
}));
