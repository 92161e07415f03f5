import type { UpdateLink, UpdateLinks, UpdateNeededReason } from '../../recovery-ports';
import { newLinkId, type UpdateLinkTokens } from '../../update-link-token';

export interface MintUpdateLinkDeps {
  links: UpdateLinks;
  tokens: UpdateLinkTokens;
  /** The API's public URL; links are `<base>/u/<token>`. */
  baseUrl: string;
  /** How long a link works unless the request says otherwise. */
  linkDays: number;
  now?: () => number;
}

export interface MintRequest {
  customerId: string;
  subscriptionId: string | null;
  reason: UpdateNeededReason | 'requested';
  invoiceId: string | null;
  expiresInDays?: number;
  /** Derives the link id (the worker passes the Stripe event), so a retry mints the same link, not another. */
  seed?: string;
}

export interface MintedLink {
  linkId: string;
  url: string;
  /** Unix seconds. */
  expiresAt: number;
  link: UpdateLink;
}

/** Creates a link's record (once) and signs its URL. */
export async function mintUpdateLink(deps: MintUpdateLinkDeps, request: MintRequest): Promise<MintedLink> {
  const nowSeconds = Math.floor((deps.now ?? Date.now)() / 1000);
  const linkId = newLinkId(request.seed);
  const stored = await deps.links.create({
    linkId,
    customerId: request.customerId,
    subscriptionId: request.subscriptionId,
    reason: request.reason,
    invoiceId: request.invoiceId,
    expiresAt: nowSeconds + (request.expiresInDays ?? deps.linkDays) * 86_400,
    status: 'open',
  });
  const token = await deps.tokens.sign(linkId, stored.expiresAt);
  return {
    linkId,
    url: `${deps.baseUrl.replace(/\/+$/, '')}/u/${token}`,
    expiresAt: stored.expiresAt,
    link: stored,
  };
}

export interface OpenUpdateLinkDeps {
  links: UpdateLinks;
  tokens: UpdateLinkTokens;
  /** Spends the customer's Stripe budget: taken only when a Checkout Session is about to be created. */
  takeBudget(customerId: string): Promise<void>;
  createSession(link: UpdateLink): Promise<NonNullable<UpdateLink['session']>>;
  now?: () => number;
}

export type OpenedLink =
  | { outcome: 'redirect'; url: string; linkId: string; reused: boolean }
  | { outcome: 'gone'; why: 'used' | 'expired' | 'revoked' }
  | { outcome: 'not_found' };

/**
 * Checkout Sessions can be reused until they expire, so a link keeps one: a mail scanner's prefetch, a
 * second click or a reload land on the same session instead of minting another (each costs a Stripe call
 * and the customer's budget). A session within a minute of expiring is replaced, so nobody lands on a page
 * that dies while they type. Everything that can refuse (token, expiry, status) is checked before Stripe.
 */
export async function openUpdateLink(deps: OpenUpdateLinkDeps, token: string): Promise<OpenedLink> {
  const nowSeconds = Math.floor((deps.now ?? Date.now)() / 1000);
  const checked = await deps.tokens.verify(token, nowSeconds);
  if (!checked.valid)
    return checked.problem === 'expired' ? { outcome: 'gone', why: 'expired' } : { outcome: 'not_found' };
  const link = await deps.links.get(checked.linkId);
  if (!link) return { outcome: 'not_found' };
  if (link.status !== 'open') return { outcome: 'gone', why: link.status };
  if (link.expiresAt <= nowSeconds) return { outcome: 'gone', why: 'expired' };
  if (link.session && link.session.expiresAt > nowSeconds + 60) {
    return { outcome: 'redirect', url: link.session.url, linkId: link.linkId, reused: true };
  }
  await deps.takeBudget(link.customerId);
  const session = await deps.createSession(link);
  if (await deps.links.attachSession(link.linkId, session, link.session?.id)) {
    return { outcome: 'redirect', url: session.url, linkId: link.linkId, reused: false };
  }
  // Another open of the same link won the race (or the link was used or revoked meanwhile): follow it.
  const now = await deps.links.get(link.linkId);
  if (now?.status !== 'open') return { outcome: 'gone', why: now?.status === 'revoked' ? 'revoked' : 'used' };
  return { outcome: 'redirect', url: now.session?.url ?? session.url, linkId: link.linkId, reused: true };
}
