/**
 * HTML for the stand-in's hosted Checkout page. Self-contained (inline CSS, no scripts, no external
 * assets) so it works offline and with JavaScript disabled. Every interpolated value goes through
 * `escapeHtml`: session fields come from API callers.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The form fields a customer fills in; their `name` attributes, which the POST handler reads. */
export type CardField = 'card_number' | 'expiry' | 'cvc' | 'name';

export interface CheckoutFormView {
  sessionId: string;
  testMode: boolean;
  email: string | null;
  cancelUrl: string | null;
  error?: { message: string; field?: CardField };
  /** Values to keep after a failed attempt. Never the card number or CVC. */
  kept?: { name?: string; expiry?: string };
}

export interface MessageView {
  title: string;
  message: string;
  testMode: boolean;
  link?: { id: string; href: string; text: string };
  sessionId?: string;
}

const STYLE = `
:root{--ink:#1a1f36;--muted:#697386;--line:#d5dbe1;--accent:#635bff;--danger:#df1b41}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f6f9fc;color:var(--ink);
font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:440px;margin:48px auto;padding:32px;background:#fff;border-radius:12px;
box-shadow:0 2px 5px rgba(50,50,93,.1),0 1px 2px rgba(0,0,0,.07)}
.badge{display:inline-block;padding:2px 8px;border-radius:4px;background:#ffde92;color:#983705;
font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase}
h1{margin:12px 0 4px;font-size:22px;line-height:1.3}
.lede{margin:0 0 16px;color:var(--muted)}
.email{margin:0 0 16px;padding:8px 12px;border-radius:6px;background:#f6f9fc;overflow-wrap:anywhere}
label{display:block;margin:14px 0 6px;font-size:13px;font-weight:600}
input{width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:6px;font:inherit;color:inherit}
input:focus{outline:2px solid var(--accent);outline-offset:-1px}
input[aria-invalid=true]{border-color:var(--danger)}
.row{display:flex;gap:12px}.row>div{flex:1}
button{width:100%;margin-top:22px;padding:12px;border:0;border-radius:6px;background:var(--accent);
color:#fff;font:inherit;font-weight:600;cursor:pointer}
#error{margin:0 0 12px;padding:10px 12px;border-radius:6px;background:#fff0f3;color:var(--danger)}
.secondary{display:block;margin-top:14px;text-align:center;color:var(--muted)}
.primary{display:inline-block;margin-top:8px;color:var(--accent);font-weight:600}
.hint{margin-top:24px;padding:12px;border:1px dashed var(--line);border-radius:6px;font-size:13px;color:var(--muted)}
.hint ul{margin:6px 0;padding-left:18px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
footer{margin-top:20px;font-size:12px;color:var(--muted);overflow-wrap:anywhere}
`;

function layout(title: string, testMode: boolean, content: string, sessionId?: string): string {
  const badge = testMode ? '<span class="badge" id="test-mode">Test mode</span>' : '';
  const footer =
    sessionId === undefined
      ? ''
      : `<footer>Stripe stand-in · session <code id="session-id">${escapeHtml(sessionId)}</code></footer>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${badge}
${content}
${footer}
</main>
</body>
</html>
`;
}

interface InputSpec {
  field: CardField;
  id: string;
  label: string;
  attributes: string;
}

function input(spec: InputSpec, view: CheckoutFormView): string {
  const invalid = view.error?.field === spec.field;
  const kept = spec.field === 'name' || spec.field === 'expiry' ? view.kept?.[spec.field] : undefined;
  return [
    `<label for="${spec.id}">${spec.label}</label>`,
    `<input id="${spec.id}" name="${spec.field}" ${spec.attributes}`,
    kept === undefined || kept === '' ? '' : ` value="${escapeHtml(kept)}"`,
    invalid ? ' aria-invalid="true" aria-describedby="error" autofocus' : '',
    '>',
  ].join('');
}

const CARD_NUMBER: InputSpec = {
  field: 'card_number',
  id: 'card-number',
  label: 'Card number',
  attributes:
    'type="text" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" maxlength="23"',
};
const EXPIRY: InputSpec = {
  field: 'expiry',
  id: 'card-expiry',
  label: 'Expiry',
  attributes: 'type="text" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" maxlength="7"',
};
const CVC: InputSpec = {
  field: 'cvc',
  id: 'card-cvc',
  label: 'CVC',
  attributes: 'type="text" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" maxlength="4"',
};
const CARDHOLDER_NAME: InputSpec = {
  field: 'name',
  id: 'cardholder-name',
  label: 'Name on card',
  attributes: 'type="text" autocomplete="cc-name"',
};

export function checkoutFormPage(view: CheckoutFormView): string {
  const email =
    view.email === null
      ? ''
      : `<p class="email">Saving for <strong id="customer-email">${escapeHtml(view.email)}</strong></p>`;
  const error =
    view.error === undefined ? '' : `<p id="error" role="alert">${escapeHtml(view.error.message)}</p>`;
  const cancel =
    view.cancelUrl === null
      ? ''
      : `<a id="cancel" class="secondary" href="${escapeHtml(view.cancelUrl)}">Cancel and return</a>`;
  // `novalidate`: the server is the one place that checks the card, so browsers and tests see the same messages.
  const content = `<h1>Save a payment method</h1>
<p class="lede" id="mode">Setup mode — you will not be charged. Your card is saved for future payments.</p>
${email}
${error}
<form method="POST" action="/checkout/${escapeHtml(encodeURIComponent(view.sessionId))}" novalidate>
${input(CARD_NUMBER, view)}
<div class="row"><div>${input(EXPIRY, view)}</div><div>${input(CVC, view)}</div></div>
${input(CARDHOLDER_NAME, view)}
<button id="submit" type="submit">Save card</button>
</form>
${cancel}
<aside class="hint" id="test-cards">Test cards:<ul>
<li><code>4242 4242 4242 4242</code> succeeds</li>
<li><code>4000 0000 0000 0002</code> is declined (try another card after it)</li>
<li><code>4000 0025 0000 3155</code> asks for authentication (passed here)</li>
<li><code>4000 0000 0000 0341</code> saves, but charging it fails</li>
</ul>Use any future expiry date and any 3-digit CVC.</aside>`;
  return layout('Save a payment method', view.testMode, content, view.sessionId);
}

export function messagePage(view: MessageView): string {
  const link =
    view.link === undefined
      ? ''
      : `<p><a id="${view.link.id}" class="primary" href="${escapeHtml(view.link.href)}">${escapeHtml(view.link.text)}</a></p>`;
  const content = `<h1 id="title">${escapeHtml(view.title)}</h1>
<p class="lede" id="message">${escapeHtml(view.message)}</p>
${link}`;
  return layout(view.title, view.testMode, content, view.sessionId);
}
