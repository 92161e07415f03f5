import { checkJwksUri } from '../../functions/shared/auth/jwt-verifier';
import { customerWithSubscription } from '../support/fixtures';
import { send } from '../support/http';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { bearer, formTokenFrom } from '../support/tokens';

/*
 * API Gateway's JWT authorizer checks `exp`, `nbf` and `iat` with no maximum age and no stated clock
 * tolerance (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), so a
 * token minted to last a century passes it: the function checks the age itself, on every route. RFC 7519
 * §4.1.4 allows "some small leeway … to account for clock skew" on exp/nbf; OpenID Connect Discovery §3
 * names `jwks_uri`, which must be fetched over TLS ("MUST use the https scheme" for the issuer).
 */

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({ auth: true });
});
afterAll(() => stack.close());

const issuer = () => stack.issuer as NonNullable<ServiceStack['issuer']>;
const listWith = (token: string) => send(`${stack.api.url}/payment-methods`, { headers: bearer(token) });

it('a token valid for a hundred years is refused on a route API Gateway has already authorized', async () => {
  const { customer } = await customerWithSubscription(stack.stripe);
  const century = await issuer().tokenFor(customer.id, { expiresIn: 100 * 365 * 86_400 });
  const refused = await listWith(century);
  expect(refused.status).toBe(401);
  expect(refused.json.error.code).toBe('unauthenticated');
  expect((await listWith(await issuer().tokenFor(customer.id))).status).toBe(200);
});

it('a token issued two days ago is refused, whatever its expiry', async () => {
  const { customer } = await customerWithSubscription(stack.stripe);
  const old = await issuer().tokenFor(customer.id, { issuedAt: -2 * 86_400, expiresIn: 3600 });
  expect((await listWith(old)).status).toBe(401);
});

it('an identity provider whose clock runs two seconds ahead still signs usable tokens', async () => {
  const { customer } = await customerWithSubscription(stack.stripe);
  const ahead = await issuer().tokenFor(customer.id, { issuedAt: 2, notBefore: 2 });
  // The form's own token is minted with it, and the list is read with it.
  const form = await send(`${stack.api.url}/create-checkout-session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://app.example.com' },
    body: new URLSearchParams({ token: await formTokenFrom(stack.api.url, ahead) }).toString(),
  });
  expect(form.status).toBe(303);
  expect((await listWith(ahead)).status).toBe(200);
});

describe('jwks_uri', () => {
  it.each([
    ['https on the issuer’s host', 'https://id.example.com', 'https://id.example.com/keys', [], true],
    ['plain http', 'https://id.example.com', 'http://id.example.com/keys', [], false],
    ['another host', 'https://id.example.com', 'https://keys.attacker.example/jwks', [], false],
    [
      'another host the operator named',
      'https://securetoken.google.com/p',
      'https://www.googleapis.com/x',
      ['www.googleapis.com'],
      true,
    ],
    ['plain http for a loopback issuer', 'http://127.0.0.1:4000', 'http://127.0.0.1:4000/jwks', [], true],
  ])('%s', (_label, iss, jwksUri, hosts, accepted) => {
    expect(checkJwksUri(iss, jwksUri, hosts) === undefined).toBe(accepted);
  });
});
