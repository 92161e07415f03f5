/**
 * `npm run dev`: the whole product locally, offline by default. One process; Ctrl-C stops everything.
 *   PORT                       port of the demo, API and webhook (default 3000; 0 picks a free one)
 *   STRIPE_SECRET_KEY +
 *   STRIPE_WEBHOOK_SECRET      use real Stripe test mode (`stripe listen --forward-to localhost:PORT/webhooks/stripe`)
 *   STRIPE_API_BASE            with a key: use that Stripe-compatible server instead
 *   STRIPE_STAND_IN_PORT       port of the Stripe stand-in (default: a free one)
 *   LOG_LEVEL                  handler logs: debug, info (default), warn, error, silent
 *   LOG_FORMAT                 readable (default: one short line each) or json (the lines exactly as in Lambda)
 *   AUTH_MODE                  jwt (default: a local issuer signs the demo's tokens) or none (callers name
 *                              their customer; the session API warns at start)
 *   ALLOWED_ORIGINS            your app's origins (http://localhost:5173): CORS, Host and redirect origins
 *   JWT_ISSUER + JWT_AUDIENCE  accept your identity provider's tokens instead of the local issuer's
 *   JWT_CUSTOMER_CLAIM         the claim (or dot path) holding the Stripe customer id
 */
import { type LocalStack, startLocalStack } from './local-stack';
import { formatStreamLines, readableLogLine } from './log-format';
import {
  DECLINED_NUMBER,
  FAILS_WHEN_CHARGED_NUMBER,
  REQUIRES_AUTHENTICATION_NUMBER,
  SUCCEEDING_TEST_CARD,
} from './stripe-stand-in/cards';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`${name} must be a port number (got "${raw}")\n`);
    process.exit(2);
  }
  return port;
}

function authFrom(name: string): boolean {
  const raw = (process.env[name] ?? 'jwt').trim().toLowerCase();
  if (raw !== 'jwt' && raw !== 'none') {
    process.stderr.write(`${name} must be jwt or none (got "${raw}")\n`);
    process.exit(2);
  }
  return raw === 'jwt';
}

function logFormatFrom(name: string): 'readable' | 'json' {
  const raw = (process.env[name] ?? 'readable').trim().toLowerCase();
  if (raw !== 'readable' && raw !== 'json') {
    process.stderr.write(`${name} must be readable or json (got "${raw}")\n`);
    process.exit(2);
  }
  return raw;
}

async function main() {
  if (logFormatFrom('LOG_FORMAT') === 'readable') {
    formatStreamLines(process.stdout, readableLogLine);
    formatStreamLines(process.stderr, readableLogLine);
  }
  const stack = await startLocalStack({
    auth: authFrom('AUTH_MODE'),
    env: process.env,
    port: portFrom('PORT', 3000),
    standInPort: portFrom('STRIPE_STAND_IN_PORT', 0),
    stableIds: true,
  });
  process.stdout.write(banner(stack));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping…\n`);
    const forced = setTimeout(() => process.exit(1), 5000);
    forced.unref();
    await stack.close();
    process.stdout.write('stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Every page and endpoint, the demo customers and the test cards: what a newcomer needs on one screen. */
function banner(stack: LocalStack): string {
  const { url, integrator, issuer } = stack;
  const auth = integrator.externalAuth
    ? `JWT from ${integrator.externalAuth.issuer} (aud ${integrator.externalAuth.audiences.join(', ')}), claim ${integrator.customerClaim}; the demo pages cannot sign in`
    : issuer
      ? `JWT from the local issuer ${issuer.issuer} (aud ${issuer.audience}), claim ${integrator.customerClaim}`
      : 'none (AUTH_MODE=none): callers name their customer';
  const rows: [string, string][] = [
    ['demo', `${url}/`],
    ['billing page', `${url}/billing?customer=<id>`],
    ['API reference', `${url}/api-reference  (OpenAPI: ${url}/openapi.json)`],
    ['session API', `${url}/checkout-sessions, ${url}/payment-methods`],
    ...(issuer ? [['dev tokens', `POST ${url}/_dev/token {"customer":"cus_…"}`] as [string, string]] : []),
    ['Stripe webhook', stack.webhookUrl],
    ['Stripe', `${stack.stripeUrl} (${stack.stripeMode})`],
    ['auth', auth],
    [
      'allowed origins',
      integrator.allowedOrigins.length > 0
        ? `${integrator.allowedOrigins.join(', ')} (CORS, Host, redirects)`
        : 'none (ALLOWED_ORIGINS=http://localhost:5173 for your app)',
    ],
    ...stack.accounts.map((account): [string, string] => [
      'demo customer',
      `${account.name}: ${account.customerId}${account.subscriptionId ? `, ${account.subscriptionId}` : ''}`,
    ]),
    [
      'logs',
      process.env.LOG_FORMAT === 'json'
        ? 'JSON lines, as in Lambda'
        : 'one line each (LOG_FORMAT=json for JSON lines)',
    ],
  ];
  const cards: [string, string][] = stack.standIn
    ? [
        [SUCCEEDING_TEST_CARD, 'succeeds'],
        [DECLINED_NUMBER, 'is declined'],
        [REQUIRES_AUTHENTICATION_NUMBER, 'asks for authentication'],
        [FAILS_WHEN_CHARGED_NUMBER, 'saves, but charging it fails'],
      ]
    : [];
  const width = Math.max(...rows.map(([label]) => label.length));
  const spaced = (number: string) => number.replace(/(\d{4})(?=\d)/g, '$1 ');
  return [
    '',
    'Stripe setup-mode service, running locally',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...(cards.length > 0
      ? [
          `  ${'test cards'.padEnd(width)}  any future expiry, any CVC`,
          ...cards.map(([number, what]) => `  ${''.padEnd(width)}  ${spaced(number)}  ${what}`),
        ]
      : []),
    '  Ctrl-C to stop',
    '',
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
