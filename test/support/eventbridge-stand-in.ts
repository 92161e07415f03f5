import {
  type LocalEventBridge,
  type PutEventsEntry,
  startLocalEventBridge,
} from '../../dev/local-aws/eventbridge';
import { type ServiceStack, startServiceStack } from './service-stack';

export type { PutEventsEntry };
export type EventBridgeStandIn = LocalEventBridge;

/** Just enough of EventBridge's JSON protocol (PutEvents) for the AWS SDK, recording what was published. */
export function startEventBridgeStandIn(): Promise<EventBridgeStandIn> {
  return startLocalEventBridge();
}

export interface StackWithOutcomes {
  stack: ServiceStack;
  eventBridge: EventBridgeStandIn;
}

/**
 * The service stack with the worker's outcome events going to an EventBridge stand-in, for the describe
 * block (or file) it is called in; each test starts with no recorded events.
 */
export function useStackWithOutcomes(): StackWithOutcomes {
  const running = {} as StackWithOutcomes;
  beforeAll(async () => {
    [running.stack, running.eventBridge] = await Promise.all([
      startServiceStack(),
      startEventBridgeStandIn(),
    ]);
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = running.eventBridge.endpoint;
  });
  afterAll(async () => {
    await Promise.all([running.stack?.close(), running.eventBridge?.close()]);
  });
  beforeEach(() => {
    running.eventBridge.entries.length = 0;
  });
  return running;
}
