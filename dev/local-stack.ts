import type { IncomingMessage, ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { wireCheckoutApi } from '../functions/checkout-api/wiring';
import { wireSetupWorker } from '../functions/setup-worker/wiring';
import { CHECKOUT_API_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../functions/shared/routes';
import { wireStripeWebhook } from '../functions/stripe-webhook/wiring';
import { type DemoAccount, renderDemoPage, renderSuccessPage } from './demo-pages';
import { seedDemoAccounts } from './demo-seed';
import type { HttpApiHandler } from './http-api/server';
import { startHttpApi } from './http-api/server';
import { localAwsEnvironment } from './local-aws/credentials';
import { startLocalDynamoDb } from './local-aws/dynamodb';
import { startLocalSqs } from './local-aws/sqs';
import { startSqsPoller } from './local-aws/sqs-poller';
import { type StripeStandIn, startStripeStandIn } from './stripe-stand-in';

type Env = Record<string, string | undefined>;

export interface LocalStackOptions {
  /** The environment that chooses the Stripe mode (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE). */
  env?: Env;
  port?: number;
  host?: string;
  standInPort?: number;
  logLevel?: string;
}

export interface LocalStack {
  url: string;
  webhookUrl: string;
  stripeUrl: string;
  stripeMode: 'stand-in' | 'real Stripe (test mode)' | 'custom Stripe API';
  standIn?: StripeStandIn;
  stripe: Stripe;
  accounts: DemoAccount[];
  close(): Promise<void>;
}

const STAND_IN_KEY = 'sk_test_localstack';

/**
 * The whole product on one machine: the same three Lambda handlers behind a local API Gateway, an embedded
 * DynamoDB and SQS, a poller that plays Lambda's event source mapping, and the Stripe stand-in with its
 * hosted Checkout page (or real Stripe, when keys are given).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? {};
  const realKey = env.STRIPE_SECRET_KEY?.trim() || undefined;
  // The AWS SDK's notice that Node 20 support ends in 2027 is noise here; deployed functions run Node 22+.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (realKey && !env.STRIPE_WEBHOOK_SECRET?.trim()) {
    throw new Error(
      'STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (from `stripe listen --forward-to …`).',
    );
  }
  const [dynamodb, sqs, standIn] = await Promise.all([
    startLocalDynamoDb(),
    // Mirrors the deployed queue: FIFO grouped by customer, redrive to the DLQ after 5 receives.
    startLocalSqs({ fifo: true, visibilityTimeoutSeconds: 10, maxReceiveCount: 5 }),
    realKey ? undefined : startStripeStandIn({ port: options.standInPort ?? 0 }),
  ]);
  Object.assign(process.env, localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodb.endpoint }));

  const stripeApiBase = standIn?.url ?? env.STRIPE_API_BASE?.trim();
  const secretKey = realKey ?? STAND_IN_KEY;
  const stripe = new Stripe(secretKey, stripeApiBase ? sdkOptionsFor(stripeApiBase) : {});
  const accounts = standIn ? await seedDemoAccounts(stripe) : [];

  // Routes bind late: the handlers need the server's own URL (redirects), known only once it listens.
  const handlers: { checkoutApi?: HttpApiHandler; webhook?: HttpApiHandler } = {};
  const notReady: HttpApiHandler = async () => ({ statusCode: 503, body: '{"message":"starting"}' });
  const api = await startHttpApi(
    [
      ...CHECKOUT_API_ROUTES.map((routeKey) => ({
        routeKey,
        handler: (event: Parameters<HttpApiHandler>[0]) => (handlers.checkoutApi ?? notReady)(event),
      })),
      { routeKey: STRIPE_WEBHOOK_ROUTE, handler: (event) => (handlers.webhook ?? notReady)(event) },
    ],
    {
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      fallback: (request, response) =>
        serveDemoPages(request, response, stripe, accounts, stripeModeOf(standIn, env)),
    },
  );

  const functionEnv: Env = {
    STRIPE_SECRET_KEY: secretKey,
    STRIPE_WEBHOOK_SECRET: standIn?.webhookSecret ?? env.STRIPE_WEBHOOK_SECRET,
    ...(stripeApiBase ? { STRIPE_API_BASE: stripeApiBase } : {}),
    QUEUE_URL: sqs.queueUrl,
    TABLE_NAME: dynamodb.tableName,
    CHECKOUT_SUCCESS_URL: `${api.url}/success`,
    CHECKOUT_CANCEL_URL: `${api.url}/`,
    LOG_LEVEL: options.logLevel ?? env.LOG_LEVEL ?? 'info',
  };
  handlers.checkoutApi = wireCheckoutApi(functionEnv);
  handlers.webhook = wireStripeWebhook(functionEnv);
  const worker = wireSetupWorker(functionEnv);
  const poller = startSqsPoller(sqs.client, sqs.queueUrl, worker, {
    batchSize: 10,
    onError: (error) => process.stderr.write(`sqs poller: ${String(error)}\n`),
  });
  const webhookUrl = `${api.url}${STRIPE_WEBHOOK_ROUTE.split(' ')[1]}`;
  standIn?.setWebhookUrl(webhookUrl);

  return {
    url: api.url,
    webhookUrl,
    stripeUrl: stripeApiBase ?? 'https://api.stripe.com',
    stripeMode: stripeModeOf(standIn, env),
    standIn,
    stripe,
    accounts,
    close: async () => {
      await poller.stop();
      await Promise.all([api.close(), standIn?.close(), sqs.close(), dynamodb.close()]);
    },
  };
}

function stripeModeOf(standIn: StripeStandIn | undefined, env: Env): LocalStack['stripeMode'] {
  if (standIn) return 'stand-in';
  return env.STRIPE_API_BASE ? 'custom Stripe API' : 'real Stripe (test mode)';
}

function sdkOptionsFor(apiBase: string) {
  const url = new URL(apiBase);
  return {
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol === 'https:' ? ('https' as const) : ('http' as const),
  };
}

async function serveDemoPages(
  request: IncomingMessage,
  response: ServerResponse,
  stripe: Stripe,
  accounts: DemoAccount[],
  stripeMode: string,
) {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const html = (status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body);
  };
  if (request.method === 'GET' && path === '/') {
    html(200, renderDemoPage(await withDefaultCards(stripe, accounts), stripeMode));
  } else if (request.method === 'GET' && path === '/success') {
    html(200, renderSuccessPage());
  } else {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not Found' }));
  }
}

/** Reads each demo customer's current default card from Stripe, so the page shows what changed. */
async function withDefaultCards(stripe: Stripe, accounts: DemoAccount[]): Promise<DemoAccount[]> {
  return Promise.all(
    accounts.map(async (account) => {
      const customer = await stripe.customers.retrieve(account.customerId, {
        expand: ['invoice_settings.default_payment_method'],
      });
      const method = 'deleted' in customer ? null : customer.invoice_settings?.default_payment_method;
      const card = method && typeof method !== 'string' ? method.card : undefined;
      return { ...account, defaultCard: card ? `${card.brand} •••• ${card.last4}` : undefined };
    }),
  );
}
