import { layout } from './demo-pages';
import { ELEMENTS_STYLE, elementsSetup } from './elements-page';
import { escapeHtml } from './html';

export interface BillingAccount {
  name: string;
  customerId: string;
  /** The signed-in user's JWT from the local issuer, when auth is on. */
  token?: string;
  /** Subscription ids → what the customer calls them, so the page shows names rather than ids. */
  subscriptionNames?: Record<string, string>;
}

/** Where the page gets Stripe.js for embedded Checkout: the stand-in's offline one, or the real one. */
export interface EmbeddedCheckoutScript {
  src: string;
  publishableKey: string;
}

/**
 * The billing page the portal would otherwise be, built on packages/elements: `<saved-payment-methods>`
 * (make default, remove with a confirmation, the replacement when the method is in use) and
 * `<update-card-button>` (hosted Checkout, and embedded when Stripe.js is at hand).
 */
export function renderBillingPage(account: BillingAccount, embedded?: EmbeddedCheckoutScript): string {
  const names = JSON.stringify(account.subscriptionNames ?? {});
  const stripeSetup = embedded
    ? `const button = document.getElementById('add-embedded');
  button.stripe = window.Stripe(${JSON.stringify(embedded.publishableKey).replace(/</g, '\\u003c')});`
    : '';
  const body = `${ELEMENTS_STYLE}<h2>Payment methods</h2>
     <p class="muted">${escapeHtml(account.name)}</p>
     <div class="card"><saved-payment-methods id="methods" label="Your saved payment methods" subscription-names="${escapeHtml(names)}"></saved-payment-methods></div>
     <div class="card row">
       <div><strong>Add a card</strong><div class="muted">Saved with Stripe Checkout in setup mode, then made your default.</div></div>
       <update-card-button id="add" label="Add a card"></update-card-button>
     </div>
     ${
       embedded
         ? `<div class="card"><div class="row"><div><strong>Add a card on this page</strong><div class="muted">Embedded Checkout.</div></div>
       <update-card-button id="add-embedded" ui-mode="embedded_page" checkout-target="#embedded-checkout" label="Add a card here"></update-card-button></div>
       <div id="embedded-checkout" aria-label="Checkout"></div></div>`
         : ''
     }
     <p><a href="/">All demo customers</a></p>`;
  const scripts = `${embedded ? `<script src="${escapeHtml(embedded.src)}"></script>` : ''}${elementsSetup(stripeSetup)}`;
  return layout('Payment methods', body, scripts).replace(
    '<body>',
    `<body data-token="${escapeHtml(account.token ?? '')}" data-customer="${escapeHtml(account.customerId)}">`,
  );
}
