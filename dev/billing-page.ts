import { layout, TOKEN_STORAGE_KEY } from './demo-pages';
import { escapeHtml } from './html';

export interface BillingAccount {
  name: string;
  customerId: string;
  /** The signed-in user's JWT from the local issuer, when auth is on. */
  token?: string;
}

const BILLING_STYLE = `<style>
  .method { display: flex; align-items: center; gap: 10px; padding: 12px 0; border-top: 1px solid #eef1f5; }
  .method:first-child { border-top: 0; }
  .method .label { flex: 1; font-weight: 600; }
  .badge { font-size: 12px; border-radius: 10px; padding: 2px 8px; background: #e3f8ec; color: #0e6245; font-weight: 600; }
  .badge.subscription { background: #e8ecff; color: #3d3aa8; }
  button.secondary { background: #fff; color: #635bff; border: 1px solid #d5dbe1; padding: 6px 12px; font-size: 13px; }
  button.secondary:hover { background: #f6f9fc; }
  button:disabled { opacity: .5; cursor: default; }
</style>`;

/**
 * The billing page the portal would otherwise be: the saved methods with "default" badges for the customer
 * and each subscription, Make default, Remove and Add a card (the Checkout flow). Everything goes through
 * the service's API with the user's token; after a change it polls the change's status, then reloads.
 */
export function renderBillingPage(account: BillingAccount): string {
  const customer = JSON.stringify(account.customerId);
  const script = `<script>
  const customer = ${customer.replace(/</g, '\\u003c')};
  const token = document.body.dataset.token || '';
  const headers = token ? { authorization: 'Bearer ' + token } : {};
  const $ = (id) => document.getElementById(id);
  const say = (text, ok) => { $('message').textContent = text; $('message').className = ok ? 'ok' : 'bad'; };
  const titleCase = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  function label(method) {
    if (method.card) return titleCase(method.card.brand) + ' •••• ' + method.card.last4 + ' · ' + String(method.card.expMonth).padStart(2, '0') + '/' + String(method.card.expYear).slice(-2);
    if (method.bank) return (method.bank.bankName || titleCase(method.type)) + ' •••• ' + (method.bank.last4 || '');
    return titleCase(method.type);
  }
  function button(text, className, onClick) {
    const element = document.createElement('button');
    element.textContent = text; element.className = 'secondary ' + className; element.onclick = onClick;
    return element;
  }
  function badge(text, className) {
    const element = document.createElement('span');
    element.className = 'badge ' + className; element.textContent = text;
    return element;
  }
  async function load() {
    const response = await fetch('/payment-methods?limit=100&customer=' + encodeURIComponent(customer), { headers });
    const body = await response.json();
    if (!response.ok) { say(body.error ? body.error.message : 'Could not load your payment methods.', false); return; }
    const list = $('methods');
    list.replaceChildren();
    if (body.data.length === 0) list.textContent = 'No saved payment methods yet.';
    for (const method of body.data) {
      const row = document.createElement('div');
      row.className = 'method'; row.dataset.paymentMethod = method.id;
      const name = document.createElement('span'); name.className = 'label'; name.textContent = label(method);
      row.append(name);
      if (method.isCustomerDefault) row.append(badge('Default', 'customer-default'));
      for (const subscription of method.pays) row.append(badge('Pays ' + subscription, 'subscription'));
      if (!method.isCustomerDefault) row.append(button('Make default', 'make-default', () => change(makeDefault(method.id))));
      row.append(button('Remove', 'remove', () => change(remove(method.id))));
      list.append(row);
    }
    $('busy').textContent = '';
  }
  const makeDefault = (id) => fetch('/payment-methods/' + encodeURIComponent(id) + '/default', {
    method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ customer }),
  });
  const remove = (id) => fetch('/payment-methods/' + encodeURIComponent(id) + '?customer=' + encodeURIComponent(customer), {
    method: 'DELETE', headers,
  });
  async function change(request) {
    for (const element of document.querySelectorAll('button.secondary')) element.disabled = true;
    const response = await request;
    const body = await response.json();
    if (response.status !== 202) { say(body.error ? body.error.message : 'Refused.', false); await load(); return; }
    $('busy').textContent = 'Updating…';
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const status = await (await fetch(body.statusUrl + '?customer=' + encodeURIComponent(customer), { headers })).json();
      if (status.status === 'applied') { say('Done.', true); break; }
      if (status.status === 'failed' || status.status === 'superseded') { say(status.failureMessage || 'A newer change won.', false); break; }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await load();
  }
  $('add').addEventListener('submit', () => sessionStorage.setItem('${TOKEN_STORAGE_KEY}', token));
  load().catch((error) => say(String(error), false));
</script>`;
  return layout(
    'Payment methods',
    `${BILLING_STYLE}<h2>Payment methods</h2>
     <p class="muted">${escapeHtml(account.name)} · customer <code>${escapeHtml(account.customerId)}</code></p>
     <div class="card"><div id="methods">Loading…</div><p id="busy" class="muted"></p><p id="message"></p></div>
     <div class="card row">
       <div><strong>Add a card</strong><div class="muted">Saved with Stripe Checkout in setup mode, then made your default.</div></div>
       <form id="add" action="/create-checkout-session" method="POST">
         <input type="hidden" name="customer" value="${escapeHtml(account.customerId)}">
         ${account.token ? `<input type="hidden" name="token" value="${escapeHtml(account.token)}">` : ''}
         <button type="submit">Add a card</button>
       </form>
     </div>
     <p><a href="/">All demo customers</a></p>`,
    script,
  ).replace('<body>', `<body data-token="${escapeHtml(account.token ?? '')}">`);
}
