import { isClaimPath, isStripeCustomerId, readCustomerClaim } from '../shared/auth/customer-claim';
import type { FormTokens } from '../shared/auth/form-token';
import { bearerToken, checkTokenAge, type JwtVerifier } from '../shared/auth/jwt-verifier';
import type { CallerAuthConfig } from '../shared/config';
import { ServiceError } from '../shared/errors';
import { type HttpEvent, header } from '../shared/http';

export interface Caller {
  /** null only without authentication, when the request names no customer (a read of any session). */
  customerId: string | null;
}

/** How callers prove who they are: the config, plus the verifier for the tokens API Gateway passes on. */
export type CallerAuth =
  | { mode: 'none' }
  | (Extract<CallerAuthConfig, { mode: 'jwt' }> & { verify: JwtVerifier });

/** What the request itself says: the customer it names. */
export interface NamedInRequest {
  customer?: string;
}

/**
 * Who is calling: the one place that decides for the JWT-authorized routes. With JWT auth the customer comes
 * from a verified token's claim — API Gateway's authorizer has verified the bearer token and passes its
 * claims in `requestContext.authorizer.jwt.claims`. (The HTML form route carries a form token instead:
 * `identifyFormCaller`.) A customer named in the request must be the token's, or the answer is 403. Without
 * auth (local development and tests only) the request names its customer.
 */
export async function identifyCaller(
  auth: CallerAuth,
  event: HttpEvent,
  named: NamedInRequest,
): Promise<Caller> {
  if (auth.mode === 'none') return { customerId: named.customer ?? null };
  const verifiedByGateway = authorizerClaims(event);
  const claims = verifiedByGateway ?? (await verifyToken(auth, bearerToken(header(event, 'authorization'))));
  const tooOld = checkTokenAge(claims, auth.maxTokenAgeSeconds);
  if (tooOld) throw unauthenticated(tooOld);
  let claimed = readCustomerClaim(claims, auth.customerClaim);
  if (claimed === undefined && verifiedByGateway && nestsUnder(verifiedByGateway, auth.customerClaim)) {
    // API Gateway hands the function every claim value as a string, objects included, in a format it does not
    // document (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), so
    // a nested claim is read from the token itself, verified here by the authorizer's own rules.
    claimed = readCustomerClaim(
      await verifyToken(auth, bearerToken(header(event, 'authorization'))),
      auth.customerClaim,
    );
  }
  if (!isStripeCustomerId(claimed)) {
    throw new ServiceError(403, 'no_customer_claim', 'The token does not name a Stripe customer.');
  }
  if (named.customer !== undefined && named.customer !== claimed) {
    throw new ServiceError(403, 'customer_mismatch', 'The customer named does not match the caller.');
  }
  return { customerId: claimed };
}

/**
 * The HTML form route's caller: the customer of the form token in its hidden `token` field, which only
 * `POST /form-tokens` mints (auth/form-token.ts). The identity provider's own tokens are refused here: they
 * are not signed with the service's key nor meant for this audience. Without auth the form names its customer.
 */
export async function identifyFormCaller(
  auth: CallerAuth,
  formTokens: FormTokens,
  form: { customer?: string; token?: string },
  nowSeconds: number,
): Promise<Caller> {
  if (auth.mode === 'none') return { customerId: form.customer ?? null };
  if (!form.token) throw unauthenticated('A form token is required (POST /form-tokens mints one).');
  const check = await formTokens.verify(form.token, nowSeconds);
  if (!check.valid) {
    throw unauthenticated(
      check.problem === 'expired'
        ? 'The form token has expired: mint a new one (POST /form-tokens).'
        : 'The form token is not valid: the form takes a token from POST /form-tokens, not a sign-in token.',
    );
  }
  if (form.customer !== undefined && form.customer !== check.customerId) {
    throw new ServiceError(403, 'customer_mismatch', 'The customer named does not match the caller.');
  }
  return { customerId: check.customerId };
}

/** The claim is a path whose top-level object the token has (flattened by API Gateway into a string). */
function nestsUnder(claims: Record<string, unknown>, name: string): boolean {
  return isClaimPath(name) && Object.hasOwn(claims, name.split('.')[0] as string);
}

/** Claims API Gateway's JWT authorizer verified; clients cannot set requestContext themselves. */
function authorizerClaims(event: HttpEvent): Record<string, unknown> | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  return context.authorizer?.jwt?.claims;
}

async function verifyToken(
  auth: Extract<CallerAuth, { mode: 'jwt' }>,
  token: string | undefined,
): Promise<Record<string, unknown>> {
  if (!token) throw unauthenticated('A token is required.');
  const check = await auth.verify(token);
  if (check.valid) return check.claims;
  if (check.unavailable) {
    throw new ServiceError(503, 'auth_unavailable', 'The token cannot be verified right now.', {
      'retry-after': '5',
    });
  }
  throw unauthenticated('The token is not valid for this service.');
}

function unauthenticated(message: string): ServiceError {
  return new ServiceError(401, 'unauthenticated', message, { 'www-authenticate': 'Bearer' });
}
