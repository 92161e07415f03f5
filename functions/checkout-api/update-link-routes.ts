import * as v from 'valibot';
import { type CheckoutConfig, isLoopbackHost } from '../shared/config';
import { ServiceError, StripeRequestFailed } from '../shared/errors';
import { checkoutExpiresAt, createCheckoutSession } from '../shared/flow/create-checkout-session';
import {
  type MintUpdateLinkDeps,
  mintUpdateLink,
  openUpdateLink,
} from '../shared/flow/recovery/update-links';
import {
  type HttpEvent,
  type HttpResult,
  jsonResponse,
  methodNotAllowed,
  requireMediaType,
  SECURITY_HEADERS,
  safeDecode,
} from '../shared/http';
import type { Logger } from '../shared/logger';
import type { StripeGateway } from '../shared/ports';
import type { RecoveryStripe } from '../shared/recovery-ports';
import { STRIPE_CALLS_PER_REQUEST } from '../shared/routes';
import type { SetupProof } from '../shared/setup-proof';
import { isLinkId } from '../shared/update-link-token';
import type { CallerAuth } from './caller';
import type { SessionRateLimit } from './session-rate-limit';
import type { StripeCallBudget } from './stripe-call-budget';
import { renderLinkPage } from './update-link-page';
import { mintUpdateLinkBody } from './update-link-requests';

export interface UpdateLinkRouteDeps extends MintUpdateLinkDeps {
  stripe: StripeGateway;
  recoveryStripe: Pick<RecoveryStripe, 'retrieveInvoice'>;
  checkout: CheckoutConfig;
  setupProof: SetupProof;
  auth: CallerAuth;
  /** The JWT scope that lets the SaaS's backend mint and revoke links; unset: only IAM-signed calls may. */
  updateLinksScope?: string;
  sessionRateLimit: SessionRateLimit;
  stripeCalls: StripeCallBudget;
  log: Logger;
}

const OPEN_PATH = /^\/u\/([^/]+)$/;
const LINK_PATH = /^\/update-links\/([^/]+)$/;

/** The update-link routes: open a link (no login), and mint or revoke one (the SaaS's backend only). */
export async function routeUpdateLinks(
  deps: UpdateLinkRouteDeps,
  event: HttpEvent,
  method: string,
  path: string,
  readBody: () => Buffer,
): Promise<HttpResult | undefined> {
  const open = OPEN_PATH.exec(path);
  if (open) {
    if (method !== 'GET') throw methodNotAllowed('GET');
    return openLink(deps, safeDecode(event.pathParameters?.token ?? open[1] ?? ''));
  }
  if (path === '/update-links') {
    if (method !== 'POST') throw methodNotAllowed('POST');
    assertBackendCaller(deps, event);
    requireMediaType(event, 'application/json');
    // Without a configured public URL, the API's own: API Gateway's domainName is the host it served, which
    // a client cannot choose (it is not the Host header).
    const host = event.requestContext.domainName;
    // API Gateway serves https only; plain http is the local stack's, on a loopback address.
    const scheme = isLoopbackHost(host.replace(/:\d+$/, '')) ? 'http' : 'https';
    const baseUrl = deps.baseUrl || `${scheme}://${host}`;
    return mint({ ...deps, baseUrl }, readBody());
  }
  const revoke = LINK_PATH.exec(path);
  if (revoke) {
    if (method !== 'DELETE') throw methodNotAllowed('DELETE');
    assertBackendCaller(deps, event);
    const linkId = safeDecode(event.pathParameters?.id ?? revoke[1] ?? '');
    if (!isLinkId(linkId)) throw new ServiceError(400, 'invalid_request', 'The link id is malformed.');
    if (!(await deps.links.get(linkId)))
      throw new ServiceError(404, 'link_not_found', 'No such update link.');
    const revoked = await deps.links.revoke(linkId);
    if (!revoked)
      throw new ServiceError(409, 'link_used', 'The link was already used; it cannot be revoked.');
    return jsonResponse(200, { id: linkId, status: 'revoked' });
  }
  return undefined;
}

async function openLink(deps: UpdateLinkRouteDeps, token: string): Promise<HttpResult> {
  const opened = await openUpdateLink(
    {
      links: deps.links,
      tokens: deps.tokens,
      // Charged only when a session is about to be created: the session budget and the caller's Stripe calls.
      takeBudget: async (customerId) => {
        await deps.sessionRateLimit.take(customerId);
        await deps.stripeCalls.spend(customerId, STRIPE_CALLS_PER_REQUEST['GET /u/{token}']);
      },
      createSession: async (link) => {
        const expiresAt = checkoutExpiresAt((deps.now ?? Date.now)(), deps.checkout.sessionMinutes);
        const session = await createCheckoutSession(deps, {
          customerId: link.customerId,
          ...(link.subscriptionId ? { subscriptionId: link.subscriptionId } : {}),
          updateLinkId: link.linkId,
        });
        // A hosted session always has a URL (only embedded ones answer a client secret instead).
        if (!('url' in session)) throw new Error('Stripe answered a hosted session without a URL');
        return { id: session.id, url: session.url, expiresAt };
      },
      ...(deps.now ? { now: deps.now } : {}),
    },
    token,
  );
  const page = (status: number, kind: Parameters<typeof renderLinkPage>[0]) => ({
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...SECURITY_HEADERS,
      'referrer-policy': 'no-referrer',
    },
    body: renderLinkPage(kind),
  });
  if (opened.outcome === 'not_found') return page(404, 'not_found');
  if (opened.outcome === 'gone') return page(410, opened.why);
  deps.log.info('update link opened', { linkId: opened.linkId, reused: opened.reused });
  // 303: the browser follows with a GET to Checkout, as after the session form.
  return {
    statusCode: 303,
    headers: { ...SECURITY_HEADERS, location: opened.url, 'referrer-policy': 'no-referrer' },
    body: '',
  };
}

async function mint(deps: UpdateLinkRouteDeps, body: Buffer): Promise<HttpResult> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServiceError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  const parsed = v.safeParse(mintUpdateLinkBody, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = issue?.path?.map((item) => String(item.key)).join('.') ?? 'body';
    throw new ServiceError(400, 'invalid_request', `${field}: ${issue?.message ?? 'invalid'}`);
  }
  const request = parsed.output;
  await deps.stripeCalls.spend(request.customer, STRIPE_CALLS_PER_REQUEST['POST /update-links']);
  const owned = (owner: string, what: 'subscription' | 'invoice') => {
    if (owner !== request.customer)
      throw new ServiceError(403, `${what}_not_owned`, `The ${what} does not belong to the customer.`);
  };
  const notFound = (what: 'subscription' | 'invoice') => (error: unknown) => {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found')
      throw new ServiceError(404, `${what}_not_found`, `No such ${what}.`);
    throw error;
  };
  if (request.subscription) {
    owned(
      (await deps.stripe.retrieveSubscription(request.subscription).catch(notFound('subscription')))
        .customerId,
      'subscription',
    );
  }
  if (request.invoice) {
    const invoice = await deps.recoveryStripe.retrieveInvoice(request.invoice).catch(notFound('invoice'));
    owned(invoice.customerId, 'invoice');
  }
  const minted = await mintUpdateLink(deps, {
    customerId: request.customer,
    subscriptionId: request.subscription ?? null,
    reason: request.reason ?? 'requested',
    invoiceId: request.invoice ?? null,
    ...(request.expiresInDays ? { expiresInDays: request.expiresInDays } : {}),
  });
  return jsonResponse(
    201,
    {
      id: minted.linkId,
      url: minted.url,
      expiresAt: new Date(minted.expiresAt * 1000).toISOString(),
      customer: request.customer,
      subscription: request.subscription ?? null,
      invoice: request.invoice ?? null,
      reason: request.reason ?? 'requested',
    },
    { location: `/update-links/${minted.linkId}` },
  );
}

/**
 * Minting names any customer, so only the SaaS's backend may: a call signed with AWS credentials (the route's
 * IAM authorizer puts the caller in `requestContext.authorizer.iam`, which clients cannot set) or a JWT
 * carrying the scope the operator named (`scope`, space-separated, or `scp`, as API Gateway's JWT
 * authorizer reads them). A customer's own token has neither. Without auth (local development) anyone may.
 */
export function assertBackendCaller(
  deps: Pick<UpdateLinkRouteDeps, 'auth' | 'updateLinksScope'>,
  event: HttpEvent,
): void {
  if (deps.auth.mode === 'none') return;
  const authorizer = (
    event.requestContext as {
      authorizer?: { iam?: unknown; jwt?: { claims?: Record<string, unknown>; scopes?: string[] } };
    }
  ).authorizer;
  if (authorizer?.iam) return;
  const claims = authorizer?.jwt?.claims ?? {};
  const scopes = [
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
    ...(Array.isArray(claims.scp)
      ? claims.scp.map(String)
      : typeof claims.scp === 'string'
        ? claims.scp.split(' ')
        : []),
    ...(authorizer?.jwt?.scopes ?? []),
  ];
  if (deps.updateLinksScope && scopes.includes(deps.updateLinksScope)) return;
  throw new ServiceError(
    403,
    'backend_only',
    'Update links are minted and revoked by the SaaS’s backend only.',
  );
}
