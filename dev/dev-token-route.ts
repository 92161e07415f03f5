import type { IncomingMessage, ServerResponse } from 'node:http';
import { isStripeCustomerId } from '../functions/shared/auth/customer-claim';
import type { LocalJwtIssuer } from './local-jwt-issuer';

export const DEV_TOKEN_PATH = '/_dev/token';

export interface DevTokenContext {
  /** Absent when tokens come from the integrator's own provider (JWT_ISSUER) or auth is off. */
  issuer?: LocalJwtIssuer;
  /** The demo page's sign-in gate: any stand-in customer, or with a real key only DEMO_CUSTOMERS. */
  signInAs: (customerId: string) => boolean;
}

/**
 * `POST /_dev/token {"customer":"cus_…"}` → `200 {"token":"…"}`: a token from the local issuer, so an app under
 * development can call the API as that customer without scraping the demo page. It lives in dev/, which no
 * function imports, so it is never in a Lambda bundle. The same gate as the demo page's sign-in decides which
 * customers it signs for, and a JSON body is required, so a page on another origin cannot have it mint a
 * token without a CORS preflight that only ALLOWED_ORIGINS pass.
 */
export async function serveDevToken(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  context: DevTokenContext,
): Promise<void> {
  const answer = (status: number, json: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(json));
  };
  const error = (status: number, code: string, message: string) =>
    answer(status, { error: { code, message } });
  if (request.method !== 'POST') return error(405, 'method_not_allowed', `Use POST ${DEV_TOKEN_PATH}.`);
  if (!context.issuer) {
    return error(
      404,
      'dev_token_unavailable',
      'No local issuer: with JWT_ISSUER set, tokens come from your identity provider; with AUTH_MODE=none, none are needed.',
    );
  }
  if (request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return error(415, 'unsupported_media_type', 'Send JSON: {"customer":"cus_…"}.');
  }
  let customer: unknown;
  try {
    customer = (JSON.parse(body.toString('utf8')) as { customer?: unknown } | null)?.customer;
  } catch {
    return error(400, 'invalid_json', 'The body is not JSON: send {"customer":"cus_…"}.');
  }
  if (!isStripeCustomerId(customer)) {
    return error(400, 'invalid_request', 'Name a Stripe customer: {"customer":"cus_…"}.');
  }
  if (!context.signInAs(customer)) {
    return error(
      403,
      'customer_not_allowed',
      'With a real Stripe key, tokens are signed only for the customers listed in DEMO_CUSTOMERS.',
    );
  }
  answer(200, { token: await context.issuer.tokenFor(customer) });
}
