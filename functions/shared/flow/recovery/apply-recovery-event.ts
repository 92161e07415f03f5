import { StripeRequestFailed } from '../../errors';
import type { Logger } from '../../logger';
import {
  type DefaultTarget,
  defaultOwnerKey,
  type EventClaimRecord,
  type HandledOutcome,
  type SetupOutcome,
  type SetupRecords,
  type StripeGateway,
} from '../../ports';
import type {
  ProvenEvent,
  RecoveryEventPublisher,
  RecoveryStripe,
  UpdateLinks,
  UpdateNeededReason,
} from '../../recovery-ports';
import { runClaimed } from '../claimed-work';
import type { RecoveryMessage } from './recovery-message';
import { reactToEvent } from './recovery-reactions';
import type { MintUpdateLinkDeps } from './update-links';

export interface RecoveryDeps {
  stripe: StripeGateway;
  recoveryStripe: RecoveryStripe;
  /** The default owners (shared with setups and changes): drift updates them, echoes are found in them. */
  records: SetupRecords;
  /** The events' own claim records (`stripe_event#<event id>`): `handled` once acted on. */
  recoveryClaims: SetupRecords<EventClaimRecord>;
  links: UpdateLinks;
  /** Minting update links; absent when the service has no public URL configured (no links then). */
  linkMinting?: MintUpdateLinkDeps;
  recoveryEvents: RecoveryEventPublisher;
  /** Which reasons emit `Payment method update needed` (UPDATE_NEEDED_REASONS). */
  updateNeededReasons: ReadonlySet<UpdateNeededReason>;
  log: Logger;
}

export type RecoveryResult =
  | { status: 'echo' }
  | { status: 'unproven'; problem: string }
  | { status: 'already_finished' }
  | { status: 'handled'; action: string };

const NOTHING_PUBLISHED = { publish: async () => {} };

/**
 * One recovery event, exactly once: an echo of a default the service set itself is dropped first (no Stripe
 * call, no write); otherwise the event is claimed like a setup, read back from Stripe by its id (the message
 * is evidence, never authority: a body nobody at Stripe sent proves nothing), and its object re-read fresh
 * before anything is decided. Outcome events are published before the claim is finished, so a crash in
 * between publishes again rather than never (consumers deduplicate on `stripeEventId`).
 */
export async function applyRecoveryEvent(
  deps: RecoveryDeps,
  message: RecoveryMessage,
): Promise<RecoveryResult> {
  if (await isOwnEcho(deps, message)) {
    deps.log.info('echo of a default this service set; dropped', { eventType: message.eventType });
    return { status: 'echo' };
  }
  let result: RecoveryResult | undefined;
  const applied = await runClaimed<SetupOutcome | HandledOutcome>(
    { outcomes: NOTHING_PUBLISHED, log: deps.log },
    {
      what: 'Stripe event',
      records: deps.recoveryClaims,
      id: message.eventId,
      eventId: message.eventId,
      sessionId: null,
    },
    async () => {
      result = await proveAndReact(deps, message);
      return recordedOutcome(message, result);
    },
  );
  if (applied.status === 'already_finished') return { status: 'already_finished' };
  return result ?? { status: 'handled', action: 'none' };
}

/**
 * `customer.updated` / `customer.subscription.updated` follow every default the service sets. When the
 * default the event reports is the one the owner record says the service put there, the event says nothing
 * new: dropped on the owner record alone. Acting on nothing, it needs no proof.
 */
async function isOwnEcho(deps: RecoveryDeps, message: RecoveryMessage): Promise<boolean> {
  if (message.reportedDefault === undefined || message.reportedDefault === null || !message.objectId)
    return false;
  const target = echoTarget(message);
  if (!target) return false;
  const owner = (await deps.records.defaultOwners([target])).get(defaultOwnerKey(target));
  return owner?.paymentMethodId === message.reportedDefault;
}

export function echoTarget(message: RecoveryMessage): DefaultTarget | undefined {
  if (!message.objectId) return undefined;
  if (message.eventType === 'customer.updated') return { kind: 'customer', id: message.objectId };
  if (message.eventType === 'customer.subscription.updated')
    return { kind: 'subscription', id: message.objectId };
  return undefined;
}

async function proveAndReact(deps: RecoveryDeps, message: RecoveryMessage): Promise<RecoveryResult> {
  let event: ProvenEvent;
  try {
    event = await deps.recoveryStripe.retrieveEvent(message.eventId);
  } catch (error) {
    if (error instanceof StripeRequestFailed && error.kind === 'not_found')
      return { status: 'unproven', problem: 'Stripe has no such event' };
    throw error;
  }
  const problem = mismatch(message, event);
  if (problem) return { status: 'unproven', problem };
  return { status: 'handled', action: await reactToEvent(deps, event) };
}

/** What the queued message claims must be what Stripe holds, or the message is not acted on. */
function mismatch(message: RecoveryMessage, event: ProvenEvent): string | undefined {
  if (event.type !== message.eventType) return 'the event type differs from Stripe’s';
  if (event.livemode !== message.livemode) return 'the event mode differs from Stripe’s';
  const objectId = typeof event.object.id === 'string' ? event.object.id : null;
  // An upcoming invoice is queued without an id (Stripe gives it none); everything else names its object.
  const expected = message.eventType === 'invoice.upcoming' ? null : objectId;
  if (message.objectId !== expected) return 'the object differs from Stripe’s';
  return undefined;
}

/**
 * The claim record's outcome, finished for good either way: `handled` with what was done, or `failed` when
 * Stripe did not confirm the message (the only failure here: what the alarms and an operator look for).
 */
function recordedOutcome(message: RecoveryMessage, result: RecoveryResult): SetupOutcome | HandledOutcome {
  const customer = message.customerId ? { customerId: message.customerId } : {};
  if (result.status === 'unproven')
    return { status: 'failed', ...customer, failureCode: 'unproven', failureMessage: result.problem };
  return { status: 'handled', ...customer, reaction: result.status === 'handled' ? result.action : 'none' };
}
