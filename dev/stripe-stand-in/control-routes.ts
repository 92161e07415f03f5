import type { IncomingHttpHeaders } from 'node:http';
import type { CompleteSessionOptions } from './checkout-completion';
import { assertDeliveryTarget, requireTestModeKey } from './control-guards';
import { invalidRequest, resourceMissing, StandInError } from './errors';
import { type FaultPhase, type FaultSpec, isFaultStatus } from './faults';
import { decodePathSegment } from './percent-decoding';
import { revokeMandate, updateCardByNetwork } from './resources/mandates';
import type { StripeStandIn } from './stand-in';
import type { CheckoutMethodType } from './types';

export interface ControlResponse {
  status: number;
  body: unknown;
}

type JsonObject = Record<string, unknown>;

function parseJson(body: string): JsonObject {
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

function optionalField<T>(
  body: JsonObject,
  key: string,
  guard: (value: unknown) => value is T,
): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!guard(value)) throw invalidRequest(`Invalid value for ${key}.`, { param: key });
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isFaultPhase = (value: unknown): value is FaultPhase =>
  value === 'before' || value === 'after' || value === 'executed';
const isBankRedirect = (value: unknown): value is 'ideal' | 'bancontact' | 'sofort' =>
  value === 'ideal' || value === 'bancontact' || value === 'sofort';
const isAuthentication = (value: unknown): value is 'completed' | 'failed' =>
  value === 'completed' || value === 'failed';
const isSetupIntentStatus = (value: unknown): value is CompleteSessionOptions['setupIntentStatus'] =>
  value === 'succeeded' || value === 'processing' || value === 'requires_action';

const CHECKOUT_METHODS: readonly CheckoutMethodType[] = ['link', 'paypal', 'acss_debit', 'bacs_debit'];
const isCheckoutMethod = (value: unknown): value is CheckoutMethodType =>
  CHECKOUT_METHODS.some((method) => method === value);

function completeOptions(body: JsonObject, webhookUrl: string | undefined): CompleteSessionOptions {
  const options: CompleteSessionOptions = {};
  const card = optionalField(body, 'card', isString);
  if (card !== undefined) options.card = card;
  const status = optionalField(body, 'setupIntentStatus', isSetupIntentStatus);
  if (status !== undefined) options.setupIntentStatus = status;
  const authentication = optionalField(body, 'authentication', isAuthentication);
  if (authentication !== undefined) options.authentication = authentication;
  const deliverTo = optionalField(body, 'deliverTo', isString);
  if (deliverTo !== undefined) options.deliverTo = assertDeliveryTarget(deliverTo, webhookUrl);
  const bankRedirect = optionalField(body, 'bankRedirect', isBankRedirect);
  if (bankRedirect !== undefined) options.bankRedirect = bankRedirect;
  const method = optionalField(body, 'method', isCheckoutMethod);
  if (method !== undefined) options.method = method;
  return options;
}

function faultSpec(body: JsonObject): FaultSpec {
  const path = optionalField(body, 'path', isString);
  if (path === undefined)
    throw invalidRequest('Missing required field: path (the exact path, or a prefix ending in *).', {
      param: 'path',
    });
  const spec: FaultSpec = { path };
  const method = optionalField(body, 'method', isString);
  if (method !== undefined) spec.method = method;
  const status = optionalField(body, 'status', isFaultStatus);
  if (status !== undefined) spec.status = status;
  const times = optionalField(body, 'times', isNumber);
  if (times !== undefined) spec.times = times;
  const latencyMs = optionalField(body, 'latencyMs', isNumber);
  if (latencyMs !== undefined) spec.latencyMs = latencyMs;
  const phase = optionalField(body, 'phase', isFaultPhase);
  if (phase !== undefined) spec.phase = phase;
  const probability = optionalField(body, 'probability', isNumber);
  if (probability !== undefined) spec.probability = probability;
  return spec;
}

async function route(
  standIn: StripeStandIn,
  method: string,
  path: string,
  body: string,
): Promise<ControlResponse> {
  const key = `${method} ${path}`;
  if (key === 'GET /_stand-in/requests') return { status: 200, body: standIn.requests };
  if (key === 'DELETE /_stand-in/requests') {
    standIn.clearRequests();
    return { status: 200, body: { cleared: true } };
  }
  if (key === 'GET /_stand-in/faults') {
    return {
      status: 200,
      body: standIn.faults.list().map((fault) => ({ ...fault, path: fault.path.source })),
    };
  }
  if (key === 'POST /_stand-in/faults') {
    standIn.faults.add(faultSpec(parseJson(body)));
    return { status: 201, body: { added: true } };
  }
  if (key === 'DELETE /_stand-in/faults') {
    standIn.faults.clear();
    return { status: 200, body: { cleared: true } };
  }
  if (key === 'POST /_stand-in/latency') {
    const ms = optionalField(parseJson(body), 'ms', isNumber) ?? 0;
    standIn.setLatency(ms);
    return { status: 200, body: { latencyMs: ms } };
  }
  if (key === 'POST /_stand-in/rate-limit') {
    const requestsPerSecond = optionalField(parseJson(body), 'requestsPerSecond', isNumber);
    if (requestsPerSecond !== undefined && requestsPerSecond < 1) {
      throw invalidRequest('requestsPerSecond must be at least 1, or null to turn the limit off.', {
        param: 'requestsPerSecond',
      });
    }
    standIn.setRateLimit(requestsPerSecond);
    return { status: 200, body: { requestsPerSecond: requestsPerSecond ?? null } };
  }
  if (key === 'POST /_stand-in/idempotency') {
    const retentionSeconds = optionalField(parseJson(body), 'retentionSeconds', isNumber);
    if (retentionSeconds !== undefined && retentionSeconds <= 0) {
      throw invalidRequest('retentionSeconds must be positive, or null for Stripe’s 24 hours.', {
        param: 'retentionSeconds',
      });
    }
    standIn.setIdempotencyRetention(retentionSeconds);
    return { status: 200, body: { retentionSeconds: retentionSeconds ?? 24 * 60 * 60 } };
  }
  if (key === 'POST /_stand-in/reset') {
    standIn.reset();
    return { status: 200, body: { reset: true } };
  }
  const complete = /^POST \/_stand-in\/checkout\/sessions\/([^/]+)\/complete$/.exec(key);
  if (complete !== null) {
    const result = await standIn.completeCheckoutSession(
      decodePathSegment(complete[1] ?? ''),
      completeOptions(parseJson(body), standIn.webhookUrl),
    );
    // 402 is Stripe's status for card errors.
    return { status: result.declined ? 402 : 200, body: result };
  }
  // What only the networks do: a card's new expiry from the account updater, a bank's mandate revocation.
  const network = /^POST \/_stand-in\/payment_methods\/([^/]+)\/(automatically_update|revoke_mandate)$/.exec(
    key,
  );
  if (network !== null) {
    const paymentMethodId = decodePathSegment(network[1] ?? '');
    if (network[2] === 'revoke_mandate')
      return { status: 200, body: revokeMandate(standIn.store, paymentMethodId) };
    const json = parseJson(body);
    const expMonth = optionalField(json, 'exp_month', isNumber);
    const expYear = optionalField(json, 'exp_year', isNumber);
    if (expMonth === undefined || expYear === undefined)
      throw invalidRequest('Missing required fields: exp_month and exp_year.', { param: 'exp_month' });
    return { status: 200, body: updateCardByNetwork(standIn.store, paymentMethodId, { expMonth, expYear }) };
  }
  const deliver = /^POST \/_stand-in\/events\/([^/]+)\/deliver$/.exec(key);
  if (deliver !== null) {
    const eventId = decodePathSegment(deliver[1] ?? '');
    const event = standIn.store.getEvent(eventId);
    if (event === undefined) throw resourceMissing('event', eventId, 'id');
    const deliverTo = optionalField(parseJson(body), 'deliverTo', isString);
    if (deliverTo === undefined)
      throw invalidRequest('Missing required field: deliverTo.', { param: 'deliverTo' });
    return {
      status: 200,
      body: await standIn.sendEvent(event, assertDeliveryTarget(deliverTo, standIn.webhookUrl)),
    };
  }
  throw invalidRequest(`Unrecognized stand-in control URL (${method}: ${path}).`, { status: 404 });
}

/** Test-only controls under `/_stand-in/`: JSON in, JSON out, behind a test-mode key as `/v1` is. */
export async function handleControlRequest(
  standIn: StripeStandIn,
  method: string,
  path: string,
  body: string,
  headers: IncomingHttpHeaders,
): Promise<ControlResponse> {
  try {
    requireTestModeKey(headers);
    return await route(standIn, method, path, body);
  } catch (error) {
    if (error instanceof StandInError) return { status: error.status, body: { error: error.body } };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 400, body: { error: { type: 'invalid_request_error', message } } };
  }
}
