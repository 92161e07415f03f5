import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { OutcomePublisher, SetupOutcomeEvent } from '../ports';

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
      const { outcome } = event;
      const result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
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
            },
          ],
        }),
      );
      // PutEvents answers 200 even when an entry was refused; the entry says so.
      if ((result.FailedEntryCount ?? 0) > 0) {
        const refused = new Error(
          `EventBridge refused the outcome event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`,
        );
        // A refused entry (InternalFailure, ThrottlingException) is retried with the setup, like a 500.
        refused.name = 'OutcomeEventRefused';
        throw refused;
      }
    },
  };
}

export const noOutcomePublisher: OutcomePublisher = { publish: async () => {} };
