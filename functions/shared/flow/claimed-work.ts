import type { Logger } from '../logger';
import type {
  EventClaimRecord,
  HandledOutcome,
  OutcomePublisher,
  SetupOutcome,
  SetupOutcomeEvent,
  SetupRecords,
} from '../ports';

/** `unproven`: the message is not the service's own (prove-default-change.ts); nothing was claimed or changed. */
export type ApplyResult =
  | SetupOutcome
  | { status: 'already_finished' }
  | { status: 'unproven'; reason: string };

/** Another worker holds a live claim on the setup: the message must come back later, not be dropped. */
export class SetupBusy extends Error {
  constructor(setupIntentId: string) {
    super(`SetupIntent ${setupIntentId} is being processed by another worker`);
    this.name = 'SetupBusy';
  }
}

export interface ClaimedWorkDeps {
  outcomes: OutcomePublisher;
  log: Logger;
}

/** One piece of the worker's work (a setup, or a change asked for through the API) and its claim record. */
export interface ClaimedWork<O extends SetupOutcome | HandledOutcome = SetupOutcome> {
  what: 'setup' | 'change' | 'Stripe event';
  records: SetupRecords<EventClaimRecord>;
  id: string;
  eventId: string;
  sessionId: string | null;
  /** The outcome event, for the outcome once resolved; none for a Stripe event (its reaction publishes its own). */
  event?: (outcome: O) => SetupOutcomeEvent;
}

/**
 * Claims the work (exactly once: a finished claim drops the duplicate, a live one is busy), resolves its
 * outcome, publishes it and records it. Transient failures release the claim and throw (the message is
 * retried); `resolve` returns permanent ones as a failed outcome.
 */
export async function runClaimed<O extends SetupOutcome | HandledOutcome = SetupOutcome>(
  deps: ClaimedWorkDeps,
  work: ClaimedWork<O>,
  resolve: (retry: boolean) => Promise<O>,
): Promise<O | { status: 'already_finished' }> {
  const { records } = work;
  const claim = await records.claim(work.id, work.eventId, work.sessionId);
  if (claim.outcome === 'finished') {
    // Expected, not an error: one setup arrives as checkout.session.completed, setup_intent.succeeded and
    // the status request's copy, and Stripe delivers each event at least once
    // (https://docs.stripe.com/webhooks#handle-duplicate-events). The first applied it and logged the outcome.
    deps.log.debug(`${work.what} already finished; this copy needs no work`, {
      outcome: claim.record.status,
    });
    return { status: 'already_finished' };
  }
  if (claim.outcome === 'busy') throw new SetupBusy(work.id);

  let outcome: O;
  try {
    outcome = await resolve(claim.retry);
    // Published before the outcome is recorded: a crash in between republishes (at least once) rather
    // than losing the event. The Stripe steps are checkpointed, so that retry repeats none of them.
    if (work.event) await deps.outcomes.publish(work.event(outcome));
  } catch (error) {
    await records.release(work.id, claim.token);
    throw error;
  }
  const recorded = await records.finish(work.id, claim.token, outcome);
  if (!recorded) deps.log.warn('claim expired before the outcome was recorded', { outcome: outcome.status });
  return outcome;
}
