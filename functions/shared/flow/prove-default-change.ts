import type { ChangeRequests } from '../adapters/dynamodb-default-changes';
import { type DefaultChangeMessage, parseDefaultChangeMessage } from './default-change-message';

export interface ChangeProofDeps {
  changeRequests: Pick<ChangeRequests, 'requestOf'>;
  /** The record retention: a change older than this may have outlived the records that order it. */
  maxSetupAgeSeconds: number;
  now?: () => number;
}

export type ChangeProof = { proven: true } | { proven: false; reason: string };

/** How far ahead of the worker's clock a change's `requestedAt` may be: clock skew between Lambda hosts. */
export const REQUESTED_AT_SKEW_MS = 5 * 60_000;

/**
 * A change message is evidence, never authority: anything allowed to send to the queue (the webhook's role,
 * a redriven dead letter, any local process in the dev stack) can write one. It is acted on only if the
 * change record the session API wrote when it accepted the request — after checking the method and the
 * subscription are the caller's — holds this very message. `requestedAt` is a time the service wrote itself,
 * so it must also lie within the records' retention and not in the future (a far-future time would make
 * every later setup of the customer lose to it, for good, since owner records never expire). Times read
 * from Stripe are not windowed here: test-clock objects live at their clock's frozen time.
 */
export async function proveDefaultChange(
  deps: ChangeProofDeps,
  message: DefaultChangeMessage,
): Promise<ChangeProof> {
  const now = (deps.now ?? Date.now)();
  if (message.requestedAt > now + REQUESTED_AT_SKEW_MS) {
    return { proven: false, reason: 'requested_in_the_future' };
  }
  if (message.requestedAt < now - deps.maxSetupAgeSeconds * 1000) {
    return { proven: false, reason: 'requested_before_retention' };
  }
  const record = await deps.changeRequests.requestOf(message.changeId);
  if (!record?.request) return { proven: false, reason: 'no_change_record' };
  const written = parseDefaultChangeMessage(record.request);
  if (!written || record.customerId !== message.customerId || !sameChange(written, message)) {
    return { proven: false, reason: 'change_record_differs' };
  }
  return { proven: true };
}

/** Every field of the message: a field added to the schema and not compared here fails to compile. */
const CHANGE_FIELDS: Record<keyof DefaultChangeMessage, true> = {
  kind: true,
  changeId: true,
  action: true,
  customerId: true,
  paymentMethodId: true,
  paymentMethodType: true,
  subscription: true,
  removing: true,
  requestedAt: true,
  livemode: true,
};

function sameChange(a: DefaultChangeMessage, b: DefaultChangeMessage): boolean {
  return (Object.keys(CHANGE_FIELDS) as (keyof DefaultChangeMessage)[]).every(
    (field) => a[field] === b[field],
  );
}
