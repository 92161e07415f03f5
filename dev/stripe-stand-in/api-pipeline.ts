import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerViolation } from './contract/answer-check';
import { checkRequestParams } from './contract/request-check';
import type { ContractName } from './contract/schema-validator';
import { internalError, invalidApiKey, invalidRequest, StandInError, unrecognizedUrl } from './errors';
import { expandResponse } from './expand';
import {
  type FaultInjector,
  type FaultStatus,
  faultHeaders,
  faultHttpStatus,
  faultResponseBody,
} from './faults';
import { decodeForm, FormDecodeError, type Params } from './form-encoding';
import type { IdempotencyStore } from './idempotency';
import { newId } from './ids';
import type { ObjectLocks } from './object-locks';
import { optionalStringArray } from './params';
import type { EndpointRateLimits, RateLimitWindow } from './rate-limit';
import type { Router } from './router';
import { API_VERSION, type StandInStore } from './store';

export interface StandInRequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Decoded form body (POST) or query string (GET, DELETE). */
  params: Params;
  idempotencyKey?: string;
  replayed: boolean;
  /** HTTP status answered; 0 when an injected `reset` fault dropped the connection. */
  status: number;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** Whether serving the request changed state. Replays, failures and no-op updates are not effects. */
  effect: boolean;
  /** Reported by updates: false when every value sent was already set. */
  changed?: boolean;
  /** Set when an injected fault answered instead of the API. */
  fault?: FaultStatus;
  /** Set when the rate limit (`setRateLimit`) refused the request with a 429. */
  rateLimited?: true;
  /** Set when another in-flight write held the object's lock: Stripe's 429 `lock_timeout`. */
  lockTimeout?: true;
  requestId: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: string;
  body: string;
  headers: IncomingHttpHeaders;
}

export type ApiResponse =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'reset' };

export interface ApiPipelineDependencies {
  store: StandInStore;
  router: Router;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  log: StandInRequestLogEntry[];
  rateLimit: RateLimitWindow;
  endpointRateLimit: EndpointRateLimits;
  locks: ObjectLocks;
  baseUrl(): string;
  latencyMs(): number;
}

const API_KEY_PATTERN = /^(sk|rk)_(test|live)_\S+$/;

/** Stripe accepts the secret key as a Bearer token or as the Basic-auth user name. */
export function presentedApiKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const [scheme = '', credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return credentials;
  if (scheme.toLowerCase() === 'basic')
    return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
  return authorization;
}

/** Returns livemode for the key, which decides `livemode` on the objects the request creates. */
function authenticate(headers: IncomingHttpHeaders): boolean {
  const key = presentedApiKey(headers.authorization);
  if (key === undefined || key === '') throw invalidApiKey(undefined);
  if (!API_KEY_PATTERN.test(key)) throw invalidApiKey(key);
  return key.includes('_live_');
}

/**
 * The stand-in models one API version, the pinned SDK's (`Stripe-Version` is sent on every request:
 * https://docs.stripe.com/api/versioning). Any other is answered with the error Stripe gives a version it
 * does not serve, so a client pinned elsewhere cannot pass tests against shapes it would not get.
 */
function checkApiVersion(version: string | undefined): void {
  if (version === undefined || version === API_VERSION) return;
  throw invalidRequest(
    `Invalid Stripe API version: ${version}. (This stand-in serves ${API_VERSION}, the version the pinned stripe SDK sends.)`,
    { param: 'Stripe-Version', beforeExecution: true },
  );
}

function decodeParams(request: ApiRequest): Params {
  try {
    return decodeForm(request.method === 'POST' ? request.body : request.query);
  } catch (error) {
    if (error instanceof FormDecodeError) throw invalidRequest(error.message, { param: error.key });
    throw invalidRequest('Invalid request body encoding.');
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Serves `/v1` requests: faults, then auth, rate limit, idempotency, latency, validation, handler, expansion. */
export class ApiPipeline {
  constructor(private readonly deps: ApiPipelineDependencies) {}

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const requestId = newId('req');
    const entry: StandInRequestLogEntry = {
      method: request.method,
      path: request.path,
      params: {},
      replayed: false,
      status: 0,
      at: Date.now(),
      effect: false,
      requestId,
    };
    const idempotencyKey = headerValue(request.headers, 'idempotency-key');
    if (idempotencyKey !== undefined) entry.idempotencyKey = idempotencyKey;

    const fault = this.deps.faults.take(request.method, request.path);
    if (fault !== undefined) {
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.status !== undefined && fault.phase === 'before') {
        entry.fault = fault.status;
        this.deps.log.push(entry);
        if (fault.status === 'reset') return { kind: 'reset' };
        entry.status = faultHttpStatus(fault.status);
        return this.reply(
          entry.status,
          faultResponseBody(fault.status),
          requestId,
          faultHeaders(fault.status),
        );
      }
    }

    const response = await this.serve(
      request,
      entry,
      requestId,
      idempotencyKey,
      fault?.phase === 'executed' ? fault.status : undefined,
    );
    if (fault?.status !== undefined && fault.phase === 'executed') entry.fault = fault.status;
    entry.status = response.status;
    this.deps.log.push(entry);
    if (fault?.status !== undefined && fault.phase === 'after') {
      // Served, effect and all; only the answer is lost.
      entry.fault = fault.status;
      if (fault.status === 'reset') return { kind: 'reset' };
      return this.reply(
        faultHttpStatus(fault.status),
        faultResponseBody(fault.status),
        requestId,
        faultHeaders(fault.status),
      );
    }
    return response;
  }

  private async serve(
    request: ApiRequest,
    entry: StandInRequestLogEntry,
    requestId: string,
    idempotencyKey: string | undefined,
    /** An `executed` fault: the answer once the handler ran, saved under the key like any answer. */
    answerAfterExecution: FaultStatus | undefined,
  ): Promise<ApiResponse & { kind: 'reply' }> {
    const extraHeaders: Record<string, string> =
      idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey };
    let reservedKey: string | undefined;
    let releaseLock: (() => void) | undefined;
    let response: ApiResponse & { kind: 'reply' };
    let executed = false;
    try {
      const params = decodeParams(request);
      entry.params = params;
      const livemode = authenticate(request.headers);
      checkApiVersion(headerValue(request.headers, 'stripe-version'));
      // Stripe limits per account, so only authenticated requests count; a refused request is never
      // stored under its idempotency key, and the SDK's retry with the same key may then succeed.
      if (!this.deps.rateLimit.admit(entry.at)) {
        entry.rateLimited = true;
        return this.reply(429, faultResponseBody(429), requestId, extraHeaders);
      }
      const match = this.deps.router.match(request.method, request.path);
      if (match === undefined) throw unrecognizedUrl(request.method, request.path);
      if (!this.deps.endpointRateLimit.admit(`${request.method} ${match.route.path}`, entry.at)) {
        this.deps.rateLimit.giveBack(entry.at);
        entry.rateLimited = true;
        return this.reply(429, faultResponseBody(429), requestId, extraHeaders);
      }
      if (request.method === 'POST' && idempotencyKey !== undefined) {
        const fingerprint = JSON.stringify([request.method, request.path, params]);
        const outcome = this.deps.idempotency.begin(idempotencyKey, fingerprint);
        if (outcome.kind === 'replay') {
          await this.addedLatency();
          entry.replayed = true;
          return {
            kind: 'reply',
            status: outcome.response.status,
            body: outcome.response.body,
            headers: {
              ...this.baseHeaders(requestId),
              ...extraHeaders,
              'Idempotent-Replayed': 'true',
              'Original-Request': outcome.response.requestId,
            },
          };
        }
        reservedKey = idempotencyKey;
      }
      const lockKey = this.deps.locks.lockKeyOf(request.method, request.path, this.deps.store);
      if (lockKey !== undefined) {
        releaseLock = this.deps.locks.tryAcquire(lockKey);
        if (releaseLock === undefined) {
          if (reservedKey !== undefined) this.deps.idempotency.abandon(reservedKey);
          entry.lockTimeout = true;
          return this.reply(429, faultResponseBody('lock_timeout'), requestId, {
            ...extraHeaders,
            ...faultHeaders('lock_timeout'),
          });
        }
      }
      // Latency is spent after reserving the key, so a concurrent duplicate sees the 409 Stripe gives.
      await this.addedLatency();
      checkRequestParams(match.route.contract.params, params);
      executed = true;
      const result = match.route.handle({
        params,
        pathParams: match.pathParams,
        livemode,
        store: this.deps.store,
        baseUrl: this.deps.baseUrl(),
      });
      entry.effect = result.effect;
      if (result.changed !== undefined) entry.changed = result.changed;
      const serialized: object = JSON.parse(JSON.stringify(result.body));
      expandResponse(serialized, optionalStringArray(params, 'expand') ?? [], this.deps.store);
      response = this.reply(result.status ?? 200, serialized, requestId, extraHeaders, {
        answer: match.route.contract.response,
        context: `${request.method} ${request.path}`,
      });
    } catch (error) {
      if (!(error instanceof StandInError)) console.error('[stripe-stand-in] unexpected error', error);
      const failure = error instanceof StandInError ? error : internalError();
      if (reservedKey !== undefined && failure.beforeExecution) {
        this.deps.idempotency.abandon(reservedKey);
        reservedKey = undefined;
      }
      response = this.reply(failure.status, { error: failure.body }, requestId, extraHeaders);
    } finally {
      releaseLock?.();
    }
    if (executed && answerAfterExecution !== undefined && answerAfterExecution !== 'reset') {
      response = this.reply(
        faultHttpStatus(answerAfterExecution),
        faultResponseBody(answerAfterExecution),
        requestId,
        { ...extraHeaders, ...faultHeaders(answerAfterExecution) },
      );
    }
    if (reservedKey !== undefined) {
      this.deps.idempotency.complete(reservedKey, {
        status: response.status,
        body: response.body,
        requestId,
      });
    }
    return response;
  }

  private async addedLatency(): Promise<void> {
    const latency = this.deps.latencyMs();
    if (latency > 0) await sleep(latency);
  }

  private baseHeaders(requestId: string): Record<string, string> {
    return { 'Content-Type': 'application/json', 'Request-Id': requestId, 'Stripe-Version': API_VERSION };
  }

  /**
   * Every answer is checked against the pinned SDK's declaration (`contract/`): errors against the error
   * body, successes against the route's `contract.response`. One that breaks it is the stand-in's bug: it
   * is recorded and answered 500, never sent as if Stripe had said it.
   */
  private reply(
    status: number,
    body: object,
    requestId: string,
    extraHeaders: Record<string, string>,
    contract: { answer: ContractName; context: string } = { answer: 'Error', context: 'error answer' },
  ): ApiResponse & { kind: 'reply' } {
    const violation = answerViolation(status >= 400 ? 'Error' : contract.answer, body, contract.context);
    const answered =
      violation === undefined
        ? { status, body }
        : { status: 500, body: { error: { type: 'api_error', message: `Stripe stand-in: ${violation}` } } };
    return {
      kind: 'reply',
      status: answered.status,
      headers: { ...this.baseHeaders(requestId), ...extraHeaders },
      body: JSON.stringify(answered.body, null, 2),
    };
  }
}
