const WINDOW_MS = 1000;

/**
 * Stripe's per-account request limit (live 100/s, test 25/s:
 * https://docs.stripe.com/rate-limits), modelled as a sliding one-second window over the requests it
 * admitted. Refused requests do not count: a client that backs off gets its budget back a second later.
 */
export class RateLimitWindow {
  private limit: number | undefined;
  private readonly admitted: number[] = [];

  /** Requests per second; undefined turns the limit off. */
  set(requestsPerSecond: number | undefined): void {
    if (requestsPerSecond !== undefined && !(Number.isFinite(requestsPerSecond) && requestsPerSecond >= 1)) {
      throw new Error(
        `The stand-in's rate limit must be at least 1 request per second (got ${requestsPerSecond}).`,
      );
    }
    this.limit = requestsPerSecond === undefined ? undefined : Math.floor(requestsPerSecond);
    this.admitted.length = 0;
  }

  get requestsPerSecond(): number | undefined {
    return this.limit;
  }

  /** Whether a request arriving at `now` (epoch ms) is within the limit; if so, it is counted. */
  admit(now: number): boolean {
    if (this.limit === undefined) return true;
    while (this.admitted.length > 0 && (this.admitted[0] ?? 0) <= now - WINDOW_MS) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
  }

  /** Gives back the request admitted at `now` (refused by another limit after this one counted it). */
  giveBack(now: number): void {
    const index = this.admitted.lastIndexOf(now);
    if (index !== -1) this.admitted.splice(index, 1);
  }
}

/**
 * Stripe documents endpoint-specific limits beside the account's (https://docs.stripe.com/rate-limits): a
 * client can be refused on one endpoint while the account has room. Modelled as one sliding window per route
 * (method and path template) with the same limit for each; off by default.
 */
export class EndpointRateLimits {
  private limit: number | undefined;
  private readonly windows = new Map<string, RateLimitWindow>();

  set(requestsPerSecond: number | undefined): void {
    new RateLimitWindow().set(requestsPerSecond);
    this.limit = requestsPerSecond;
    this.windows.clear();
  }

  get requestsPerSecond(): number | undefined {
    return this.limit;
  }

  admit(endpoint: string, now: number): boolean {
    if (this.limit === undefined) return true;
    let window = this.windows.get(endpoint);
    if (window === undefined) {
      window = new RateLimitWindow();
      window.set(this.limit);
      this.windows.set(endpoint, window);
    }
    return window.admit(now);
  }
}
