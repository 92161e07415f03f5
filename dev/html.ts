const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attributes: every value on the demo pages comes from outside. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/**
 * Headers of every demo page. No page of the demo is meant to be framed, and a framed one could be
 * clickjacked into switching or removing a card: `X-Frame-Options: DENY` for older browsers and CSP
 * `frame-ancestors 'none'`, which supersedes it (https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html,
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/frame-ancestors).
 * Embedded Checkout frames the Stripe stand-in's page, on the stand-in's own origin, never these.
 */
export const DEMO_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
} as const;
