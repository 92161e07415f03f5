import { ELEMENTS_STYLE, elementsSetup } from './elements-page';
import { escapeHtml } from './html';

export interface DemoAccount {
  name: string;
  email: string;
  customerId: string;
  subscriptionId?: string;
  /** e.g. "visa •••• 4242", or undefined when the customer has no default yet. */
  defaultCard?: string;
  /**
   * When auth is on, a form token the API minted for the signed-in user (`POST /form-tokens`): a form cannot
   * send an Authorization header, so it travels in a hidden field. Only the form route accepts it, so the
   * page holds no bearer token for the API.
   */
  formToken?: string;
}

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1f36; background: #f6f9fc; }
  header { background: #0a2540; color: #fff; padding: 18px 32px; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header span { font-size: 12px; background: #ffbb00; color: #0a2540; border-radius: 4px; padding: 2px 8px; font-weight: 600; }
  main { max-width: 760px; margin: 32px auto; padding: 0 16px; }
  .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(50,50,93,.15); padding: 20px 24px; margin-bottom: 16px; }
  .row { display: flex; justify-content: space-between; align-items: center; gap: 16px; }
  .muted { color: #6b7385; font-size: 13px; }
  code { font-size: 12px; background: #f0f3f7; padding: 1px 5px; border-radius: 3px; }
  button { background: #635bff; color: #fff; border: 0; border-radius: 6px; padding: 10px 18px; font-size: 15px; font-weight: 600; cursor: pointer; }
  button:hover { background: #5148e5; }
  input { border: 1px solid #d5dbe1; border-radius: 6px; padding: 8px 10px; font-size: 14px; width: 100%; margin: 4px 0 10px; }
  .ok { color: #0e8a4f; font-weight: 600; }
  .bad { color: #c0123c; font-weight: 600; }
  .big { font-size: 22px; font-weight: 600; }
`;

export function layout(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><h1>Acme Cloud · Billing</h1><span>local demo</span></header><main>${body}</main>${script}</body></html>`;
}

/**
 * The seed's page: a button that POSTs to /create-checkout-session, one form per demo customer. Without
 * seeded customers (real Stripe), a first form picks the customer and the page is shown again for it.
 */
export function renderDemoPage(accounts: DemoAccount[], stripeMode: string, chosen = false): string {
  const forms = accounts.map(
    (account) => `
    <div class="card row" data-customer="${escapeHtml(account.customerId)}">
      <div>
        <div><strong>${escapeHtml(account.name)}</strong> <span class="muted">${escapeHtml(account.email)}</span></div>
        <div class="muted">Customer <code>${escapeHtml(account.customerId)}</code>${
          account.subscriptionId
            ? ` · subscription <code>${escapeHtml(account.subscriptionId)}</code>`
            : ' · no subscription'
        }</div>
        <div class="muted">Default card: <span class="default-card">${escapeHtml(account.defaultCard ?? 'none yet')}</span></div>
      </div>
      <form action="/create-checkout-session" method="POST">
        <input type="hidden" name="customer" value="${escapeHtml(account.customerId)}">
        ${account.formToken ? `<input type="hidden" name="token" value="${escapeHtml(account.formToken)}">` : ''}
        ${account.subscriptionId ? `<input type="hidden" name="subscription" value="${escapeHtml(account.subscriptionId)}">` : ''}
        <button type="submit">Checkout</button>
      </form>
      <a class="manage" href="/billing?customer=${encodeURIComponent(account.customerId)}">Manage payment methods</a>
    </div>`,
  );
  const manual = `
    <div class="card">
      <p><strong>Your customer</strong> <span class="muted">(an id from your Stripe test account, one of those
      in <code>DEMO_CUSTOMERS</code> when <code>npm run dev</code> started; the page then signs you in as that
      customer with the local issuer)</span></p>
      <form action="/" method="GET">
        <label>Customer id<input name="customer" placeholder="cus_…" pattern="cus_\\w+" required></label>
        <label>Subscription id (optional)<input name="subscription" placeholder="sub_…" pattern="sub_\\w+"></label>
        <button type="submit">Continue</button>
      </form>
    </div>`;
  return layout(
    'Update your payment method',
    `<h2>Update the card used for your invoices</h2>
     <p class="muted">Checkout in <strong>setup mode</strong> saves a card without charging it; the service then makes it the
     default for the customer's future invoices and for the subscription. Stripe: ${escapeHtml(stripeMode)}.</p>
     ${accounts.length > 0 ? forms.join('') : ''}${chosen || accounts.length === 0 ? manual : ''}`,
  );
}

/**
 * The success (and embedded return) page: `<checkout-return>` from packages/elements says the outcome. The
 * server signs the session's customer in, as the SaaS's own login would (`signedIn`), so the page polls
 * with a token it was given rather than one an earlier page left in storage.
 */
export function renderSuccessPage(signedIn?: { customerId: string; token?: string }): string {
  const body = `${ELEMENTS_STYLE}<div class="card">
       <h2>Payment method saved</h2>
       <checkout-return id="outcome"></checkout-return>
       <p><a id="back" href="/">Back to billing</a></p>
     </div>`;
  // Back to this customer's billing page once the outcome names the customer.
  const back = `document.getElementById('outcome').addEventListener('checkout-settled', (event) => {
    const customer = event.detail.customer;
    if (customer) document.getElementById('back').href = '/billing?customer=' + encodeURIComponent(customer);
  });`;
  return layout('Payment method saved', body, elementsSetup(back)).replace(
    '<body>',
    signedIn
      ? `<body data-token="${escapeHtml(signedIn.token ?? '')}" data-customer="${escapeHtml(signedIn.customerId)}">`
      : '<body>',
  );
}
