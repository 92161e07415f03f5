import type { StoredEvent } from './types';
import { sendEvent, type WebhookDelivery } from './webhook-signing';

/**
 * How Stripe delivers events to a webhook endpoint (https://docs.stripe.com/webhooks#best-practices and
 * "Event delivery behaviors"): only the types the endpoint is subscribed to (`enabled_events`, `*` for all);
 * "Stripe doesn't guarantee delivery of events in the order in which they're generated"; an endpoint
 * "might occasionally receive the same event more than once"; a delivery that is not answered 2xx is retried
 * with backoff (for up to three days; the stand-in retries a few times). Delays are random within a range,
 * a few milliseconds by default so tests stay fast; `npm run dev` uses longer, more realistic ones.
 */
export interface WebhookEndpoint {
  url: string;
  enabledEvents: readonly string[];
}

export interface DeliveryBehaviour {
  /** Each delivery waits a uniformly random delay in this range first. Default [0, 20]. */
  delayMs: readonly [number, number];
  /** Chance that an event is delivered a second time. Default 0.1. */
  duplicateProbability: number;
  /** Further attempts after a delivery that was not answered 2xx. Default 2. */
  retries: number;
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  url: string;
  status: number;
}

const DEFAULT_BEHAVIOUR: DeliveryBehaviour = { delayMs: [0, 20], duplicateProbability: 0.1, retries: 2 };

export class EventDelivery {
  private endpoint: WebhookEndpoint | undefined;
  private behaviour: DeliveryBehaviour = DEFAULT_BEHAVIOUR;
  private readonly inFlight = new Set<Promise<void>>();
  /** Every delivery attempt made, oldest first. */
  readonly attempts: DeliveryAttempt[] = [];

  constructor(private readonly secret: string) {}

  setEndpoint(endpoint: WebhookEndpoint | undefined): void {
    this.endpoint = endpoint;
  }

  getEndpoint(): WebhookEndpoint | undefined {
    return this.endpoint;
  }

  configure(behaviour: Partial<DeliveryBehaviour>): void {
    this.behaviour = { ...this.behaviour, ...behaviour };
  }

  reset(): void {
    this.behaviour = DEFAULT_BEHAVIOUR;
    this.attempts.length = 0;
  }

  subscribed(type: string): boolean {
    const enabled = this.endpoint?.enabledEvents ?? [];
    return enabled.includes('*') || enabled.includes(type);
  }

  /** Schedules the event's delivery (and sometimes a duplicate) if the endpoint is subscribed to it. */
  deliver(event: StoredEvent): void {
    const endpoint = this.endpoint;
    if (endpoint === undefined || !this.subscribed(event.type)) return;
    const copies = Math.random() < this.behaviour.duplicateProbability ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) this.track(this.deliverWithRetries(event, endpoint.url));
  }

  /** Resolves once every scheduled delivery (retries included) has been made. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliverWithRetries(event: StoredEvent, url: string): Promise<void> {
    for (let attempt = 0; attempt <= this.behaviour.retries; attempt++) {
      await this.randomDelay();
      const result: WebhookDelivery = await sendEvent(event, url, this.secret);
      this.attempts.push({ eventId: event.id, type: event.type, url, status: result.status });
      if (result.status >= 200 && result.status < 300) return;
    }
  }

  private randomDelay(): Promise<void> {
    const [min, max] = this.behaviour.delayMs;
    const ms = min + Math.random() * Math.max(0, max - min);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
