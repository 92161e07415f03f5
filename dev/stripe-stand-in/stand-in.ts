import type { Server } from 'node:http';
import { isAllowedHost } from '../host-check';
import { ApiPipeline, type StandInRequestLogEntry } from './api-pipeline';
import type { BillingSettings } from './billing/billing-settings';
import { runBillingUntil } from './billing/lifecycle';
import {
  type CompleteSessionOptions,
  type CompletionFor,
  completeCheckoutSession,
  type DEFAULT_TEST_CARD,
} from './checkout-completion';
import { warmContractValidators } from './contract/schema-validator';
import { handleControlRequest } from './control-routes';
import { type DeliveryAttempt, type DeliveryBehaviour, EventDelivery } from './event-delivery';
import { FaultInjector } from './faults';
import { handleHostedCheckout } from './hosted-checkout';
import { IdempotencyStore } from './idempotency';
import { advanceClock, nowMs, nowSeconds, resetClock, useStableIds } from './ids';
import { ObjectLocks } from './object-locks';
import { EndpointRateLimits, RateLimitWindow } from './rate-limit';
import { checkoutSessionRoutes } from './resources/checkout-sessions';
import { customerSourceRoutes } from './resources/customer-sources';
import { customerRoutes } from './resources/customers';
import { eventRoutes } from './resources/events';
import { invoiceRoutes, makeSubscriptionPastDue } from './resources/invoices';
import { mandateRoutes } from './resources/mandates';
import { paymentMethodRoutes } from './resources/payment-methods';
import { setupIntentRoutes } from './resources/setup-intents';
import { subscriptionScheduleRoutes } from './resources/subscription-schedules';
import { subscriptionRoutes } from './resources/subscriptions';
import { testClockRoutes } from './resources/test-clocks';
import { Router } from './router';
import { closeServer, createStandInServer, listen } from './server';
import {
  type SettledSetupIntent,
  type SettleSetupIntentOptions,
  settleSetupIntent,
} from './setup-intent-settlement';
import { StandInStore } from './store';
import type { StoredInvoice } from './types';
import { sendEvent, type WebhookDelivery } from './webhook-signing';

export interface StripeStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'whsec_standin_0123456789abcdefghijk'. */
  webhookSecret?: string;
  /** Where events are delivered; see `setWebhookUrl`. */
  webhookUrl?: string;
  /** Event types the webhook endpoint is subscribed to; default every type (`*`). */
  enabledEvents?: readonly string[];
  /** Answer only to loopback names (the local stack, against DNS rebinding). */
  checkHost?: boolean;
  /** Customers and subscriptions get the same ids on every run (`npm run dev`); process-wide. */
  stableIds?: boolean;
}

export interface StripeStandIn {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  /** Options to pass to `new Stripe(key, ...)` so the SDK reaches this server. */
  sdkOptions: { host: string; port: number; protocol: 'http' };
  webhookSecret: string;
  /** Every /v1 request served, oldest first. */
  readonly requests: StandInRequestLogEntry[];
  clearRequests(): void;
  /** Counts /v1 requests matching method and path, e.g. countRequests('POST', /^\/v1\/customers\/cus_/). */
  countRequests(method: string, path: RegExp): number;
  faults: FaultInjector;
  /** Fixed latency added to every /v1 request. */
  setLatency(ms: number): void;
  /**
   * Refuses /v1 requests beyond `requestsPerSecond` in any sliding one-second window with Stripe's 429
   * `rate_limit` error, logged with `rateLimited: true`; undefined (the default) turns the limit off.
   */
  setRateLimit(requestsPerSecond: number | undefined): void;
  /**
   * A limit per endpoint (method and path template) beside the account's: Stripe's 25 per second on its
   * endpoints with stricter limits. Undefined (the default) turns it off; refused requests are 429 `rate_limit`.
   */
  setEndpointRateLimit(requestsPerSecond: number | undefined): void;
  /**
   * How long an idempotency key's saved answer is replayed: Stripe's 24 hours by default (undefined restores
   * it). Scaled down for drills on a compressed clock; measured on the stand-in's clock (`advanceClock` moves it).
   */
  setIdempotencyRetention(seconds: number | undefined): void;
  /** The answer saved under an idempotency key (what a retry with it is replayed), if any. */
  savedIdempotentAnswer(key: string): { status: number; body: unknown } | undefined;
  store: StandInStore;
  /**
   * Does what a customer finishing the Checkout page does. Typed by `card`: the decline card
   * yields a `DeclinedSession`, other cards a `CompletedSession`.
   */
  completeCheckoutSession<Card extends string = typeof DEFAULT_TEST_CARD>(
    sessionId: string,
    opts?: CompleteSessionOptions<Card>,
  ): Promise<CompletionFor<Card>>;
  /**
   * The webhook endpoint: every event the stand-in records whose type is in `enabledEvents` (default `*`)
   * is delivered there signed, as Stripe does — after a random delay, in no particular order, sometimes
   * twice, retried when not answered 2xx (`configureDelivery`). Undefined stops deliveries. Settable after
   * start, because the dev server starts the stand-in before it knows its own port. `reset()` keeps it.
   */
  setWebhookUrl(url: string | undefined, enabledEvents?: readonly string[]): void;
  /** Delivery delays, duplicate rate and retries (see `EventDelivery`). */
  configureDelivery(behaviour: Partial<DeliveryBehaviour>): void;
  /** Resolves once every scheduled webhook delivery has been made. */
  deliveriesSettled(): Promise<void>;
  /** Every webhook delivery attempt, oldest first. */
  readonly deliveries: readonly DeliveryAttempt[];
  /** The configured webhook endpoint's URL, if any. */
  readonly webhookUrl: string | undefined;
  /** Signs `event` with the webhook secret and POSTs it to `deliverTo`. */
  sendEvent(event: object, deliverTo: string): Promise<WebhookDelivery>;
  /**
   * A renewal whose payment failed: a new open invoice, and the subscription `past_due` (or `unpaid`, where
   * the account's settings end retries there, https://docs.stripe.com/billing/subscriptions/overview).
   */
  makeSubscriptionPastDue(
    subscriptionId: string,
    amountDue?: number,
    status?: 'past_due' | 'unpaid',
  ): StoredInvoice;
  /** A delayed payment method's later outcome: succeed or fail a `processing` SetupIntent. */
  settleSetupIntent(
    setupIntentId: string,
    outcome: 'succeeded' | 'failed',
    opts?: SettleSetupIntentOptions,
  ): Promise<SettledSetupIntent>;
  /**
   * Moves the stand-in's clock (every `created`) forward, so tests can order events in time without
   * sleeping: Stripe's timestamps are whole seconds.
   */
  advanceClock(seconds: number): void;
  /**
   * The account's Billing settings that time-driven steps follow (when `invoice.upcoming` is sent, the retry
   * schedule, what the last failed retry does); `reset()` restores the defaults.
   */
  configureBilling(settings: Partial<BillingSettings>): void;
  /** Resolves once every Test Clock is `ready` again (its advance has run). */
  testClocksReady(): Promise<void>;
  /** Forgets all objects, requests, faults, idempotency keys, latency, the rate limit and the clock offset. */
  reset(): void;
  close(): Promise<void>;
}

const ROUTES = [
  ...customerRoutes,
  ...customerSourceRoutes,
  ...invoiceRoutes,
  ...mandateRoutes,
  ...subscriptionRoutes,
  ...subscriptionScheduleRoutes,
  ...paymentMethodRoutes,
  ...setupIntentRoutes,
  ...checkoutSessionRoutes,
  ...eventRoutes,
  ...testClockRoutes,
];

class RunningStandIn implements StripeStandIn {
  readonly requests: StandInRequestLogEntry[] = [];
  readonly faults = new FaultInjector();
  readonly store = new StandInStore();
  readonly idempotency = new IdempotencyStore(nowMs);
  readonly rateLimit = new RateLimitWindow();
  readonly endpointRateLimit = new EndpointRateLimits();
  readonly server: Server;
  url = '';
  port = 0;
  sdkOptions: { host: string; port: number; protocol: 'http' };
  private latencyMs = 0;
  readonly delivery: EventDelivery;

  constructor(
    private readonly host: string,
    readonly webhookSecret: string,
    checkHost = false,
  ) {
    this.sdkOptions = { host, port: 0, protocol: 'http' };
    this.delivery = new EventDelivery(webhookSecret);
    this.store.onEvent = (event) => this.delivery.deliver(event);
    const api = new ApiPipeline({
      store: this.store,
      router: new Router(ROUTES),
      faults: this.faults,
      idempotency: this.idempotency,
      log: this.requests,
      rateLimit: this.rateLimit,
      endpointRateLimit: this.endpointRateLimit,
      locks: new ObjectLocks(),
      baseUrl: () => this.url,
      latencyMs: () => this.latencyMs,
    });
    this.server = createStandInServer({
      ...(checkHost ? { allowsHost: (host) => isAllowedHost(host, this.host) } : {}),
      api,
      control: (method, path, body, headers) => handleControlRequest(this, method, path, body, headers),
      checkout: (method, sessionId, body) =>
        handleHostedCheckout(
          {
            store: this.store,
            completeCheckoutSession: (id, options) => this.completeCheckoutSession(id, options),
          },
          method,
          sessionId,
          body,
        ),
    });
  }

  async start(port: number): Promise<void> {
    this.port = await listen(this.server, port, this.host);
    this.url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.sdkOptions = { host: this.host, port: this.port, protocol: 'http' };
  }

  clearRequests(): void {
    // In place, so references to `requests` stay live.
    this.requests.length = 0;
  }

  countRequests(method: string, path: RegExp): number {
    const wanted = method.toUpperCase();
    return this.requests.filter((entry) => entry.method === wanted && path.test(entry.path)).length;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  setRateLimit(requestsPerSecond: number | undefined): void {
    this.rateLimit.set(requestsPerSecond);
  }

  setEndpointRateLimit(requestsPerSecond: number | undefined): void {
    this.endpointRateLimit.set(requestsPerSecond);
  }

  setIdempotencyRetention(seconds: number | undefined): void {
    this.idempotency.setRetention(seconds === undefined ? undefined : seconds * 1000);
  }

  savedIdempotentAnswer(key: string): { status: number; body: unknown } | undefined {
    const saved = this.idempotency.saved(key);
    return saved === undefined ? undefined : { status: saved.status, body: JSON.parse(saved.body) };
  }

  async completeCheckoutSession<Card extends string = typeof DEFAULT_TEST_CARD>(
    sessionId: string,
    opts?: CompleteSessionOptions<Card>,
  ): Promise<CompletionFor<Card>> {
    const result = await completeCheckoutSession(this.store, this.webhookSecret, sessionId, opts);
    // The runtime decides declined-ness by the exact card string, which is what CompletionFor encodes.
    return result as CompletionFor<Card>;
  }

  makeSubscriptionPastDue(
    subscriptionId: string,
    amountDue?: number,
    status?: 'past_due' | 'unpaid',
  ): StoredInvoice {
    return makeSubscriptionPastDue(this.store, subscriptionId, amountDue, status);
  }

  settleSetupIntent(
    setupIntentId: string,
    outcome: 'succeeded' | 'failed',
    opts?: SettleSetupIntentOptions,
  ): Promise<SettledSetupIntent> {
    return settleSetupIntent(this.store, this.webhookSecret, setupIntentId, outcome, opts);
  }

  setWebhookUrl(url: string | undefined, enabledEvents: readonly string[] = ['*']): void {
    // Fail here, not on the first completed checkout, when the URL cannot be delivered to.
    if (url !== undefined && !/^https?:$/.test(new URL(url).protocol)) {
      throw new Error(`The stand-in's webhookUrl must be http(s): ${url}`);
    }
    this.delivery.setEndpoint(url === undefined ? undefined : { url, enabledEvents });
  }

  configureDelivery(behaviour: Partial<DeliveryBehaviour>): void {
    this.delivery.configure(behaviour);
  }

  deliveriesSettled(): Promise<void> {
    return this.delivery.settled();
  }

  get deliveries(): readonly DeliveryAttempt[] {
    return this.delivery.attempts;
  }

  get webhookUrl(): string | undefined {
    return this.delivery.getEndpoint()?.url;
  }

  sendEvent(event: object, deliverTo: string): Promise<WebhookDelivery> {
    return sendEvent(event, deliverTo, this.webhookSecret);
  }

  advanceClock(seconds: number): void {
    advanceClock(seconds);
    // Objects on no Test Clock live on the stand-in's clock: what came due meanwhile happens now.
    runBillingUntil(this.store, null, nowSeconds(), this.store.billingSettings);
  }

  configureBilling(settings: Partial<BillingSettings>): void {
    this.store.billingSettings = { ...this.store.billingSettings, ...settings };
  }

  async testClocksReady(): Promise<void> {
    while ([...this.store.testClocks.values()].some((clock) => clock.status === 'advancing')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  reset(): void {
    resetClock();
    this.store.reset();
    this.delivery.reset();
    this.idempotency.clear();
    this.faults.clear();
    this.clearRequests();
    this.latencyMs = 0;
    this.rateLimit.set(undefined);
    this.endpointRateLimit.set(undefined);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}

export async function startStripeStandIn(opts: StripeStandInOptions = {}): Promise<StripeStandIn> {
  // Loaded (or compiled) before the first request, not during it: a request must not stall the event loop
  // for the time it takes, which would skew the rate limit's window and every latency a test relies on.
  warmContractValidators();
  if (opts.stableIds) useStableIds('local stack', ['cus', 'sub', 'si']);
  const standIn = new RunningStandIn(
    opts.host ?? '127.0.0.1',
    opts.webhookSecret ?? 'whsec_standin_0123456789abcdefghijk',
    opts.checkHost,
  );
  standIn.setWebhookUrl(opts.webhookUrl, opts.enabledEvents);
  await standIn.start(opts.port ?? 0);
  return standIn;
}
