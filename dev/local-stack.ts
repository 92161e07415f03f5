import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { wireCheckoutApi } from '../functions/checkout-api/wiring';
import { wireSetupWorker } from '../functions/setup-worker/wiring';
import { createJwtVerifier } from '../functions/shared/auth/jwt-verifier';
import { WEBHOOK_EVENT_TYPES } from '../functions/shared/flow/recovery/recovery-message';
import { CHECKOUT_API_ROUTES, JWT_AUTHORIZED_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../functions/shared/routes';
import { wireStripeWebhook } from '../functions/stripe-webhook/wiring';
import { readOpenApiDocument, serveApiReference } from './api-reference-page';
import { type EmbeddedCheckoutScript, renderBillingPage } from './billing-page';
import { type DemoAccount, renderDemoPage, renderSuccessPage } from './demo-pages';
import { seedDemoAccounts } from './demo-seed';
import { DEV_TOKEN_PATH, serveDevToken } from './dev-token-route';
import { elementsBundle } from './elements-bundle';
import { ELEMENTS_SCRIPT_PATH } from './elements-page';
import { hostsOf } from './host-check';
import { DEMO_PAGE_HEADERS } from './html';
import type { HttpApiHandler } from './http-api/server';
import { startHttpApi } from './http-api/server';
import { type IntegratorSettings, readIntegratorSettings } from './integrator-settings';
import { localAwsEnvironment } from './local-aws/credentials';
import { startLocalDynamoDb } from './local-aws/dynamodb';
import { startLocalEventBridge } from './local-aws/eventbridge';
import { startLocalLambdaRuntime } from './local-aws/lambda-runtime';
import { startLocalSqs } from './local-aws/sqs';
import { startSqsPoller } from './local-aws/sqs-poller';
import { type LocalJwtIssuer, startLocalJwtIssuer } from './local-jwt-issuer';
import {
  describeOutcomeEvent,
  type OutcomeEventRecord,
  outcomeEventRecord,
  seedRenewalDemo,
  serveRecoveryRoutes,
} from './recovery-demo';
import { type StripeStandIn, startStripeStandIn } from './stripe-stand-in';
import { EMBEDDED_CHECKOUT_SCRIPT_PATH } from './stripe-stand-in/embedded-checkout';

type Env = Record<string, string | undefined>;

export interface LocalStackOptions {
  /** The environment that chooses the Stripe mode (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE). */
  env?: Env;
  port?: number;
  host?: string;
  standInPort?: number;
  logLevel?: string;
  /**
   * JWT auth through a local issuer, as deployed (the default); false runs the session API unauthenticated,
   * callers naming their customer. `npm run dev` turns it off with AUTH_MODE=none.
   */
  auth?: boolean;
  /** The stand-in's customers and subscriptions get the same ids on every run (`npm run dev`). */
  stableIds?: boolean;
}

export interface LocalStack {
  url: string;
  webhookUrl: string;
  stripeUrl: string;
  stripeMode: 'stand-in' | 'real Stripe (test mode)' | 'custom Stripe API';
  standIn?: StripeStandIn;
  stripe: Stripe;
  accounts: DemoAccount[];
  /** The local issuer whose tokens the API accepts, when auth is on and no JWT_ISSUER is given. */
  issuer?: LocalJwtIssuer;
  /** ALLOWED_ORIGINS and the JWT_* pass-through, as read. */
  integrator: IntegratorSettings;
  /** The embedded DynamoDB's and SQS's endpoints. */
  aws: { dynamodb: string; sqs: string };
  close(): Promise<void>;
}

const STAND_IN_KEY = 'sk_test_localstack_0123456789abcdefgh';

/**
 * The whole product on one machine: the same three Lambda handlers behind a local API Gateway, an embedded
 * DynamoDB and SQS, a poller that plays Lambda's event source mapping, and the Stripe stand-in with its
 * hosted Checkout page (or real Stripe, when keys are given).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? {};
  const integrator = readIntegratorSettings(env);
  const realKey = env.STRIPE_SECRET_KEY?.trim() || undefined;
  // The AWS SDK's notice that Node 20 support ends in 2027 is noise here; deployed functions run Node 22+.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The local stack's pages sign visitors in and its queue takes any local process's messages: never in
  // front of a live account. Live keys start sk_live_ / rk_live_ (https://docs.stripe.com/keys).
  if (realKey && /^(sk|rk)_live_/.test(realKey)) {
    throw new Error(
      'npm run dev takes test-mode keys only (sk_test_… or rk_test_…); STRIPE_SECRET_KEY is live.',
    );
  }
  if (realKey && !env.STRIPE_WEBHOOK_SECRET?.trim()) {
    throw new Error(
      'STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (from `stripe listen --forward-to …`).',
    );
  }
  // Each handler is invoked as Lambda does, with a context and a trace id of its own.
  const lambda = startLocalLambdaRuntime();
  const [dynamodb, sqs, standIn, issuer] = await Promise.all([
    startLocalDynamoDb(),
    // Mirrors the deployed queue: FIFO grouped by customer, redrive to the DLQ after 5 receives.
    startLocalSqs({ fifo: true, visibilityTimeoutSeconds: 10, maxReceiveCount: 5 }),
    realKey
      ? undefined
      : startStripeStandIn({ port: options.standInPort ?? 0, checkHost: true, stableIds: options.stableIds }),
    options.auth === false || integrator.externalAuth
      ? undefined
      : startLocalJwtIssuer({ customerClaim: integrator.customerClaim }),
  ]);
  Object.assign(process.env, localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodb.endpoint }));
  // The worker's outcome events, printed as they come and listed at GET /_dev/outcome-events.
  const outcomeEvents: OutcomeEventRecord[] = [];
  const eventBridge = await startLocalEventBridge((entry) => {
    const record = outcomeEventRecord(entry);
    outcomeEvents.push(record);
    process.stdout.write(describeOutcomeEvent(record));
  });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;

  const stripeApiBase = standIn?.url ?? env.STRIPE_API_BASE?.trim();
  const secretKey = realKey ?? STAND_IN_KEY;
  const stripe = new Stripe(secretKey, stripeApiBase ? sdkOptionsFor(stripeApiBase) : {});
  const accounts = standIn ? await seedDemoAccounts(stripe) : [];
  const renewalDemo = standIn ? await seedRenewalDemo(stripe) : undefined;

  // Routes bind late: the handlers need the server's own URL (redirects), known only once it listens.
  const handlers: { checkoutApi?: HttpApiHandler; webhook?: HttpApiHandler } = {};
  const notReady: HttpApiHandler = async () => ({ statusCode: 503, body: '{"message":"starting"}' });
  // API Gateway's JWT authorizer on the session routes, as the stack configures it.
  const auth =
    options.auth === false
      ? undefined
      : (integrator.externalAuth ?? (issuer && { issuer: issuer.issuer, audiences: [issuer.audience] }));
  const jwtAuthorizer = auth && createJwtVerifier(auth);
  const stripeMode = stripeModeOf(standIn, env);
  const api = await startHttpApi(
    [
      ...CHECKOUT_API_ROUTES.map((routeKey) => ({
        routeKey,
        handler: (event: Parameters<HttpApiHandler>[0]) => (handlers.checkoutApi ?? notReady)(event),
        ...(jwtAuthorizer && JWT_AUTHORIZED_ROUTES.includes(routeKey) ? { jwtAuthorizer } : {}),
      })),
      { routeKey: STRIPE_WEBHOOK_ROUTE, handler: (event) => (handlers.webhook ?? notReady)(event) },
    ],
    {
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      checkHost: true,
      extraHosts: hostsOf(integrator.allowedOrigins),
      ...(integrator.allowedOrigins.length > 0
        ? { cors: { allowedOrigins: integrator.allowedOrigins } }
        : {}),
      fallback: async (request, response, body) => {
        const routes = { stripe, events: outcomeEvents, ...(renewalDemo ? { demo: renewalDemo } : {}) };
        if (await serveRecoveryRoutes(request, response, routes)) return;
        return serveDemoPages(request, response, body, {
          stripe,
          accounts,
          stripeMode,
          issuer,
          signInAs: demoSignIns(standIn, env),
          embeddedCheckout: embeddedCheckoutScript(standIn, env),
          apiUrl: () => api.url,
        });
      },
    },
  );

  const functionEnv: Env = {
    STRIPE_SECRET_KEY: secretKey,
    STRIPE_WEBHOOK_SECRET: standIn?.webhookSecret ?? env.STRIPE_WEBHOOK_SECRET,
    // A fresh proof key per run is enough for the stand-in, whose state dies with the process; with real
    // Stripe, setting SETUP_PROOF_SECRET keeps sessions from an earlier run provable.
    SETUP_PROOF_SECRET: env.SETUP_PROOF_SECRET?.trim() || randomBytes(32).toString('base64url'),
    ...(stripeApiBase ? { STRIPE_API_BASE: stripeApiBase } : {}),
    QUEUE_URL: sqs.queueUrl,
    DEAD_LETTER_QUEUE_URL: sqs.deadLetterQueueUrl,
    TABLE_NAME: dynamodb.tableName,
    CHECKOUT_SUCCESS_URL: `${api.url}/success`,
    CHECKOUT_CANCEL_URL: `${api.url}/`,
    ALLOWED_REDIRECT_ORIGINS: [api.url, ...integrator.allowedOrigins].join(','),
    STRIPE_MODE: secretKey.includes('_live_') ? 'live' : 'test',
    ...(auth
      ? {
          AUTH_MODE: 'jwt',
          JWT_ISSUER: auth.issuer,
          JWT_AUDIENCE: auth.audiences.join(','),
          JWT_CUSTOMER_CLAIM: integrator.customerClaim,
        }
      : { AUTH_MODE: 'none' }),
    LOG_LEVEL: options.logLevel ?? env.LOG_LEVEL ?? 'info',
    EVENT_BUS_NAME: 'local-outcome-events',
    UPDATE_LINK_BASE_URL: api.url,
  };
  handlers.checkoutApi = lambda.invoker('checkout-api', wireCheckoutApi(functionEnv));
  handlers.webhook = lambda.invoker('stripe-webhook', wireStripeWebhook(functionEnv));
  const worker = lambda.invoker('setup-worker', wireSetupWorker(functionEnv));
  const poller = startSqsPoller(sqs.client, sqs.queueUrl, worker, {
    batchSize: 10,
    onError: (error) => process.stderr.write(`sqs poller: ${String(error)}\n`),
  });
  const webhookUrl = `${api.url}${STRIPE_WEBHOOK_ROUTE.split(' ')[1]}`;
  // Subscribed to the events the service handles, as docs/deploy.md tells an operator to configure the endpoint;
  // delivered after Stripe-like delays (a fraction of a second to a few seconds), in any order.
  standIn?.setWebhookUrl(webhookUrl, WEBHOOK_EVENT_TYPES);
  standIn?.configureDelivery({ delayMs: [200, 2000] });

  return {
    url: api.url,
    webhookUrl,
    stripeUrl: stripeApiBase ?? 'https://api.stripe.com',
    stripeMode,
    standIn,
    stripe,
    accounts,
    issuer,
    integrator,
    aws: { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint },
    close: async () => {
      await poller.stop();
      await Promise.all([
        api.close(),
        standIn?.close(),
        sqs.close(),
        dynamodb.close(),
        issuer?.close(),
        eventBridge.close(),
      ]);
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

interface DemoContext {
  stripe: Stripe;
  accounts: DemoAccount[];
  stripeMode: string;
  issuer?: LocalJwtIssuer;
  /** Which customers `/?customer=` may sign in as: any (the stand-in's made-up ones), or a fixed list. */
  signInAs: (customerId: string) => boolean;
  /** Stripe.js for the billing page's embedded Checkout, when there is one to load. */
  embeddedCheckout?: EmbeddedCheckoutScript;
  /** The session API's URL, which mints the demo form's tokens. */
  apiUrl: () => string;
}

/**
 * Offline, the stand-in's minimal Stripe.js; with a real key, Stripe's own (which needs the account's
 * publishable key, STRIPE_PUBLISHABLE_KEY); otherwise the billing page offers hosted Checkout only.
 */
function embeddedCheckoutScript(
  standIn: StripeStandIn | undefined,
  env: Env,
): EmbeddedCheckoutScript | undefined {
  if (standIn)
    return { src: `${standIn.url}${EMBEDDED_CHECKOUT_SCRIPT_PATH}`, publishableKey: 'pk_test_stand_in' };
  const publishableKey = env.STRIPE_PUBLISHABLE_KEY?.trim();
  return publishableKey ? { src: 'https://js.stripe.com/v3/', publishableKey } : undefined;
}

/**
 * The demo signs the visitor in as whichever customer `/?customer=` names. Harmless against the stand-in,
 * whose customers are made up; with a real Stripe key it would hand a token for any customer of that
 * account to any page that can reach this port, so then only the customers in DEMO_CUSTOMERS
 * (comma-separated, chosen by the developer at start) can be signed in as.
 */
function demoSignIns(standIn: StripeStandIn | undefined, env: Env): (customerId: string) => boolean {
  if (standIn) return () => true;
  const allowed = new Set((env.DEMO_CUSTOMERS ?? '').split(',').map((id) => id.trim()));
  return (customerId) => allowed.has(customerId);
}

async function serveDemoPages(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  demo: DemoContext,
) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const html = (status: number, body: string) => {
    response.writeHead(status, DEMO_PAGE_HEADERS);
    response.end(body);
  };
  if (request.method === 'GET' && path === '/') {
    const named = chosenAccount(url.searchParams);
    const chosen = named && demo.signInAs(named.customerId) ? named : undefined;
    const accounts = await withDefaultCards(demo.stripe, chosen ? [chosen] : demo.accounts);
    // The demo's "signed-in user": the SaaS's backend holds the user's token and asks the API for a form
    // token, so the page carries only that (it opens the form route and nothing else).
    const signedIn = await Promise.all(
      accounts.map(async (account) => {
        const issuer = demo.issuer;
        if (!issuer) return account;
        return {
          ...account,
          formToken: await mintFormToken(demo.apiUrl(), await issuer.tokenFor(account.customerId)),
        };
      }),
    );
    html(200, renderDemoPage(signedIn, demo.stripeMode, chosen !== undefined));
  } else if (request.method === 'GET' && path === '/billing') {
    const account =
      demo.accounts.find((a) => a.customerId === url.searchParams.get('customer')) ??
      chosenAccount(url.searchParams);
    if (!account) {
      html(400, 'Name a customer: /billing?customer=cus_…');
      return;
    }
    // The same sign-in as `/`: the page carries a token for the customer it shows.
    if (!demo.signInAs(account.customerId)) {
      html(403, 'This customer is not one the demo may sign in as (DEMO_CUSTOMERS).');
      return;
    }
    const token = demo.issuer ? await demo.issuer.tokenFor(account.customerId) : undefined;
    const subscriptionId = 'subscriptionId' in account ? account.subscriptionId : undefined;
    html(
      200,
      renderBillingPage(
        {
          name: account.name,
          customerId: account.customerId,
          ...(token ? { token } : {}),
          ...(subscriptionId ? { subscriptionNames: { [subscriptionId]: 'your Acme Cloud plan' } } : {}),
        },
        demo.embeddedCheckout,
      ),
    );
  } else if (path === DEV_TOKEN_PATH) {
    await serveDevToken(request, response, body, demo);
  } else if (request.method === 'GET' && path === '/success') {
    html(200, renderSuccessPage(await successSignIn(demo, url.searchParams.get('session_id'))));
  } else if (request.method === 'GET' && path === ELEMENTS_SCRIPT_PATH) {
    response.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(await elementsBundle());
  } else if (request.method === 'GET' && path === '/openapi.json') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(readOpenApiDocument());
  } else if (request.method === 'GET' && serveApiReference(path, response)) {
    // served
  } else {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not Found' }));
  }
}

/** What the SaaS's backend does for a page that renders the HTML form: `POST /form-tokens` as the user. */
async function mintFormToken(apiUrl: string, userToken: string): Promise<string> {
  const answer = await fetch(`${apiUrl}/form-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userToken}` },
  });
  if (answer.status !== 201) throw new Error(`POST /form-tokens answered ${answer.status}`);
  return ((await answer.json()) as { formToken: string }).formToken;
}

/**
 * The success page's signed-in user: the session's customer, behind the same sign-in gate as `/`, with a
 * token from the local issuer when auth is on (the page polls the session's status with it).
 */
async function successSignIn(demo: DemoContext, sessionId: string | null) {
  if (!sessionId || !/^cs_(test|live)_\w+$/.test(sessionId)) return undefined;
  const session = await demo.stripe.checkout.sessions.retrieve(sessionId).catch(() => undefined);
  const customerId = typeof session?.customer === 'string' ? session.customer : session?.customer?.id;
  if (!customerId || !demo.signInAs(customerId)) return undefined;
  return demo.issuer ? { customerId, token: await demo.issuer.tokenFor(customerId) } : { customerId };
}

/** With real Stripe there are no seeded customers: the page's first form names one (`/?customer=cus_…`). */
function chosenAccount(query: URLSearchParams): DemoAccount | undefined {
  const customerId = query.get('customer') ?? '';
  const subscriptionId = query.get('subscription') ?? '';
  if (!/^cus_\w+$/.test(customerId)) return undefined;
  return {
    name: 'Your customer',
    email: '',
    customerId,
    ...(/^sub_\w+$/.test(subscriptionId) ? { subscriptionId } : {}),
  };
}

/** Reads each demo customer's current default card from Stripe, so the page shows what changed. */
async function withDefaultCards(stripe: Stripe, accounts: DemoAccount[]): Promise<DemoAccount[]> {
  return Promise.all(
    accounts.map(async (account) => {
      const customer = await stripe.customers
        .retrieve(account.customerId, { expand: ['invoice_settings.default_payment_method'] })
        // A customer id typed into the page may not exist; the session API will say so on Checkout.
        .catch(() => ({ deleted: true as const }));
      const method = 'deleted' in customer ? null : customer.invoice_settings?.default_payment_method;
      const card = method && typeof method !== 'string' ? method.card : undefined;
      return { ...account, defaultCard: card ? `${card.brand} •••• ${card.last4}` : undefined };
    }),
  );
}
