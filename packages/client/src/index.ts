/**
 * A typed client for the setup-mode service's HTTP API, for browsers and Node 20+, with nothing but `fetch`.
 * Types come from the API's OpenAPI document (`api-types.ts`, generated).
 */
import { ApiError, apiErrorFrom } from './api-error.js';
import type { components } from './api-types.js';
import {
  isChangeSettled,
  isSessionSettled,
  sleep,
  TERMINAL_STATUSES,
  type WaitOptions,
  WaitTimeoutError,
} from './waiting.js';

export type { ErrorCode } from './api-error.js';
export type { WaitOptions } from './waiting.js';
export { ApiError, isChangeSettled, isSessionSettled, TERMINAL_STATUSES, WaitTimeoutError };

type Schemas = components['schemas'];
export type CreateSessionRequest = Omit<Schemas['CreateSessionRequest'], 'customer'>;
export type CreatedSession = Schemas['CreatedSession'];
export type SetupStatus = Schemas['SetupStatus'];
export type PaymentMethodList = Schemas['PaymentMethodList'];
export type SavedPaymentMethod = PaymentMethodList['data'][number];
export type AcceptedChange = Schemas['AcceptedChange'];
export type ChangeStatus = Schemas['ChangeStatus'];
export type FormToken = Schemas['FormToken'];

export interface ClientOptions {
  /** The API's URL: the stack output `ApiUrl`, or `http://localhost:3000` under `npm run dev`. */
  baseUrl: string;
  /** The signed-in user's JWT (called before every request, so a refreshed token is picked up). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** Only for an unauthenticated dev stage: the customer to act for. */
  customer?: string;
  fetch?: typeof fetch;
}

export interface SetupModeClient {
  createSession(request?: CreateSessionRequest, init?: { signal?: AbortSignal }): Promise<CreatedSession>;
  /**
   * A short-lived token for the HTML form route (`POST /create-checkout-session`, hidden field `token`): a
   * page that renders the form carries this instead of the user's sign-in token.
   */
  createFormToken(init?: { signal?: AbortSignal }): Promise<FormToken>;
  getSession(sessionId: string, init?: { signal?: AbortSignal }): Promise<SetupStatus>;
  /** Polls the session until its method is the default, or its outcome is otherwise final. */
  waitForDefault(sessionId: string, options?: WaitOptions<SetupStatus>): Promise<SetupStatus>;
  listPaymentMethods(
    page?: { limit?: number; startingAfter?: string },
    init?: { signal?: AbortSignal },
  ): Promise<PaymentMethodList>;
  /** `subscription`: one `sub_…` to set too, or `"all"`; without it, subscriptions on the old default follow. */
  makeDefault(paymentMethodId: string, options?: { subscription?: string }): Promise<AcceptedChange>;
  /** Refused with `payment_method_in_use` while the method pays something, unless `replaceWith` is named. */
  remove(paymentMethodId: string, options?: { replaceWith?: string }): Promise<AcceptedChange>;
  getChange(change: AcceptedChange | string, init?: { signal?: AbortSignal }): Promise<ChangeStatus>;
  /** Polls a switch or removal until it is applied, superseded or failed. */
  waitForChange(change: AcceptedChange | string, options?: WaitOptions<ChangeStatus>): Promise<ChangeStatus>;
}

export function createClient(options: ClientOptions): SetupModeClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request<T>(
    method: string,
    pathOrUrl: string,
    init: { body?: unknown; query?: Record<string, string | number | undefined>; signal?: AbortSignal } = {},
  ): Promise<T> {
    const url = new URL(pathOrUrl.startsWith('http') ? pathOrUrl : `${base}${pathOrUrl}`);
    const query = {
      ...init.query,
      ...(options.customer && method !== 'POST' ? { customer: options.customer } : {}),
    };
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const token = await options.getToken?.();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined || method === 'POST') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify({
        ...(init.body as object),
        ...(options.customer ? { customer: options.customer } : {}),
      });
    }
    let response: Response;
    try {
      response = await fetcher(url, { method, headers, body, signal: init.signal });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new ApiError(0, 'service_unavailable', `The API could not be reached: ${String(error)}`);
    }
    if (!response.ok) throw await apiErrorFrom(response);
    return (await response.json()) as T;
  }

  /** Polls `read` until `settled`, backing off, honouring Retry-After on a 429/503, until aborted or timed out. */
  async function waitFor<T>(
    read: (signal?: AbortSignal) => Promise<T>,
    settled: (t: T) => boolean,
    wait: WaitOptions<T>,
  ) {
    const deadline = Date.now() + (wait.timeoutMs ?? 120_000);
    let delay = wait.initialDelayMs ?? 500;
    let last: T | undefined;
    for (;;) {
      let pause = delay;
      try {
        last = await read(wait.signal);
        wait.onUpdate?.(last);
        if (settled(last)) return last;
      } catch (error) {
        if (!(error instanceof ApiError) || !error.retryable) throw error;
        pause = Math.max(delay, (error.retryAfterSeconds ?? 0) * 1000);
      }
      if (Date.now() + pause > deadline) throw new WaitTimeoutError(last);
      await sleep(pause, wait.signal);
      delay = Math.min(delay * 1.5, wait.maxDelayMs ?? 5_000);
    }
  }

  const changeUrl = (change: AcceptedChange | string) =>
    typeof change === 'string'
      ? change.startsWith('http')
        ? change
        : `/payment-methods/changes/${encodeURIComponent(change)}`
      : change.statusUrl;

  const client: SetupModeClient = {
    createSession: (body = {}, init = {}) =>
      request('POST', '/checkout-sessions', { body, signal: init.signal }),
    createFormToken: (init = {}) => request('POST', '/form-tokens', { signal: init.signal }),
    getSession: (id, init = {}) =>
      request('GET', `/checkout-sessions/${encodeURIComponent(id)}`, { signal: init.signal }),
    waitForDefault: (id, wait = {}) =>
      waitFor((signal) => client.getSession(id, { signal }), isSessionSettled, wait),
    listPaymentMethods: (page = {}, init = {}) =>
      request('GET', '/payment-methods', {
        query: { limit: page.limit, starting_after: page.startingAfter },
        signal: init.signal,
      }),
    makeDefault: (id, body = {}) =>
      request('POST', `/payment-methods/${encodeURIComponent(id)}/default`, {
        body: body.subscription ? { subscription: body.subscription } : {},
      }),
    remove: (id, { replaceWith } = {}) =>
      request('DELETE', `/payment-methods/${encodeURIComponent(id)}`, { query: { replaceWith } }),
    getChange: (change, init = {}) => request('GET', changeUrl(change), { signal: init.signal }),
    waitForChange: (change, wait = {}) =>
      waitFor((signal) => client.getChange(change, { signal }), isChangeSettled, wait),
  };
  return client;
}
