import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../html';

/**
 * Embedded Checkout offline. Stripe.js's `initEmbeddedCheckout({ clientSecret })` mounts Stripe's Checkout
 * in an iframe and, when the customer is done, sends the whole page to the session's `return_url`
 * (https://docs.stripe.com/js/embedded_checkout/init; "Customize redirect behavior",
 * https://docs.stripe.com/payments/checkout/custom-success-page?payment-ui=embedded-form). The stand-in
 * serves a minimal Stripe.js of its own at EMBEDDED_CHECKOUT_SCRIPT_PATH doing just that with its hosted page;
 * with a real key the page loads the real https://js.stripe.com/v3/ instead.
 */
export const EMBEDDED_CHECKOUT_SCRIPT_PATH = '/v3/embedded-checkout.js';

/** The message the hosted page, framed, posts to the integrator's page when the setup is done. */
const COMPLETE_MESSAGE = 'stripe-stand-in:embedded-checkout-complete';

/** `Stripe(key).initEmbeddedCheckout(options)` → `{ mount, unmount, destroy }`, as Stripe.js shapes it. */
export const EMBEDDED_CHECKOUT_SCRIPT = `(() => {
  if (window.Stripe) return;
  const origin = new URL(document.currentScript.src).origin;
  const sessionIdOf = (secret) => String(secret).split('_secret_')[0];
  window.Stripe = () => ({
    async initEmbeddedCheckout(options) {
      const clientSecret = options.clientSecret || (options.fetchClientSecret && await options.fetchClientSecret());
      if (!clientSecret) throw new Error('initEmbeddedCheckout needs clientSecret or fetchClientSecret');
      const sessionId = sessionIdOf(clientSecret);
      let frame;
      const onMessage = (event) => {
        if (event.origin !== origin || !event.data || event.data.type !== '${COMPLETE_MESSAGE}') return;
        if (event.data.sessionId !== sessionId) return;
        if (typeof options.onComplete === 'function') options.onComplete();
        if (event.data.returnUrl) window.location.assign(event.data.returnUrl);
      };
      return {
        mount(target) {
          const host = typeof target === 'string' ? document.querySelector(target) : target;
          frame = document.createElement('iframe');
          frame.src = origin + '/checkout/' + encodeURIComponent(sessionId);
          frame.title = 'Secure payment input frame';
          frame.style.cssText = 'width:100%;min-height:640px;border:0;';
          host.appendChild(frame);
          window.addEventListener('message', onMessage);
        },
        unmount() { if (frame) frame.remove(); window.removeEventListener('message', onMessage); },
        destroy() { this.unmount(); frame = undefined; },
      };
    },
  });
})();
`;

/**
 * What the framed hosted page answers once an embedded session is complete: a page whose one script tells
 * the integrator's page (its parent) to go to the return URL. The nonce is this answer's only script.
 */
export function embeddedCompletePage(
  sessionId: string,
  returnUrl: string | undefined,
): { headers: Record<string, string>; body: string } {
  const nonce = randomBytes(16).toString('base64');
  const message = JSON.stringify({ type: COMPLETE_MESSAGE, sessionId, returnUrl: returnUrl ?? null });
  return {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; base-uri 'none'`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payment method saved</title></head>
<body><p id="title">Your payment method was saved.</p>
${returnUrl ? `<p><a id="continue" target="_top" href="${escapeHtml(returnUrl)}">Continue</a></p>` : ''}
<script nonce="${nonce}">parent.postMessage(${message.replaceAll('<', '\\u003c')}, '*');</script></body></html>`,
  };
}
