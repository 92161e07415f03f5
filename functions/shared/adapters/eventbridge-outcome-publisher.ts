import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { OutcomePublisher, SetupOutcome, SetupOutcomeEvent } from '../ports';
import type { RecoveryEventPublisher, RecoveryOutcomeEvent } from '../recovery-ports';

export const OUTCOME_EVENT_SOURCE = 'stripe-setup-mode-service';

const DETAIL_TYPES = {
  applied: 'Payment method set as default',
  superseded: 'Payment method saved, newer default kept',
  pending: 'Payment method pending',
  failed: 'Payment method setup failed',
} as const;

/**
 * Publishes each setup's outcome on an EventBridge bus. Delivery is at least once (a retried worker may
 * publish again): consumers deduplicate on `detail.setupIntentId` (or `detail.changeId`) + `detail.status`.
 */
export function createEventBridgeOutcomePublisher(
  client: EventBridgeClient,
  eventBusName: string,
): OutcomePublisher {
  return {
    async publish(event: SetupOutcomeEvent) {
      const outcome = publishedOutcome(event.outcome);
      await putOne(client, {
        EventBusName: eventBusName,
        Source: OUTCOME_EVENT_SOURCE,
        DetailType: DETAIL_TYPES[outcome.status],
        Resources: [],
        Detail: JSON.stringify({
          setupIntentId: event.setupIntentId,
          ...(event.changeId ? { changeId: event.changeId } : {}),
          sessionId: event.sessionId,
          livemode: event.livemode,
          ...outcome,
        }),
      });
    },
  };
}

/** The method's details are the status route's, kept on the record; the event names the method by its id. */
function publishedOutcome(outcome: SetupOutcome): SetupOutcome {
  if (outcome.status !== 'applied' && outcome.status !== 'superseded') return outcome;
  const {
    paymentMethodType: _type,
    paymentMethodBrand: _brand,
    paymentMethodLast4: _last4,
    ...published
  } = outcome;
  return published;
}

export const noOutcomePublisher: OutcomePublisher & RecoveryEventPublisher = {
  publish: async () => {},
  publishRecovery: async () => {},
};

/** The recovery events' detail types: what the SaaS's EventBridge rules match on. */
export const RECOVERY_DETAIL_TYPES = {
  update_needed: 'Payment method update needed',
  default_changed_elsewhere: 'Default changed elsewhere',
} as const;

/**
 * Publishes recovery events on the same bus, at least once: consumers deduplicate on
 * `detail.stripeEventId` (one Stripe event leads to at most one recovery event).
 */
export function createEventBridgeRecoveryPublisher(
  client: EventBridgeClient,
  eventBusName: string,
): RecoveryEventPublisher {
  return {
    async publishRecovery(event: RecoveryOutcomeEvent) {
      const { type, ...detail } = event;
      await putOne(client, {
        EventBusName: eventBusName,
        Source: OUTCOME_EVENT_SOURCE,
        DetailType: RECOVERY_DETAIL_TYPES[type],
        Resources: [],
        Detail: JSON.stringify(detail),
      });
    },
  };
}

type Entry = NonNullable<ConstructorParameters<typeof PutEventsCommand>[0]['Entries']>[number];

async function putOne(client: EventBridgeClient, entry: Entry): Promise<void> {
  const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
  // PutEvents answers 200 even when an entry was refused; the entry says so.
  if ((result.FailedEntryCount ?? 0) > 0) {
    const refused = new Error(
      `EventBridge refused the outcome event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`,
    );
    // A refused entry (InternalFailure, ThrottlingException) is retried with the work, like a 500.
    refused.name = 'OutcomeEventRefused';
    throw refused;
  }
}
