/**
 * `npm run dev`: the whole product locally, offline by default. One process; Ctrl-C stops everything.
 *   PORT                       port of the demo, API and webhook (default 3000; 0 picks a free one)
 *   STRIPE_SECRET_KEY +
 *   STRIPE_WEBHOOK_SECRET      use real Stripe test mode (`stripe listen --forward-to localhost:PORT/webhooks/stripe`)
 *   STRIPE_API_BASE            with a key: use that Stripe-compatible server instead
 *   STRIPE_STAND_IN_PORT       port of the Stripe stand-in (default: a free one)
 *   LOG_LEVEL                  handler logs (JSON lines on stdout): debug, info (default), warn, error, silent
 *   AUTH_MODE                  jwt (default: a local issuer signs the demo's tokens) or none (callers name
 *                              their customer; the session API warns at start)
 */
import { startLocalStack } from './local-stack';

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

async function main() {
  const stack = await startLocalStack({
    auth: authFrom('AUTH_MODE'),
    env: process.env,
    port: portFrom('PORT', 3000),
    standInPort: portFrom('STRIPE_STAND_IN_PORT', 0),
  });
  const rows: [string, string][] = [
    ['demo', `${stack.url}/`],
    ['session API', `${stack.url}/checkout-sessions`],
    ['Stripe webhook', stack.webhookUrl],
    ['Stripe', `${stack.stripeUrl} (${stack.stripeMode})`],
    [
      'auth',
      stack.issuer
        ? `JWT from the local issuer ${stack.issuer.issuer} (aud ${stack.issuer.audience})`
        : 'none (AUTH_MODE=none): callers name their customer',
    ],
    ['logs', 'handler logs as JSON lines on stdout (LOG_LEVEL)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    `\nStripe setup-mode service, running locally\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n  Ctrl-C to stop\n\n`,
  );

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

main().catch((error: unknown) => {
  process.stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
