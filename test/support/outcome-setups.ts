import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { completeSession } from './checkout';
import type { StackWithOutcomes } from './eventbridge-stand-in';
import { postJson } from './http';
import { nextSecond } from './saved-methods';
import { deliverSignedEvent } from './webhooks';

/**
 * One setup from session to outcome through a worker of its own (extra settings in `env`), publishing to the
 * EventBridge stand-in: the method saved and the outcome event's detail.
 */
export async function setupWithOutcome(
  running: StackWithOutcomes,
  customer: string,
  options: { subscription?: string; card?: string; env?: Record<string, string> } = {},
) {
  const { stack, eventBridge } = running;
  const worker = wireSetupWorker({ ...stack.env, EVENT_BUS_NAME: 'saas-events', ...options.env });
  await nextSecond();
  const created = await postJson(`${stack.api.url}/checkout-sessions`, {
    customer,
    ...(options.subscription ? { subscription: options.subscription } : {}),
  });
  const completed = await completeSession(
    stack.stripeStandIn,
    created.json.id,
    options.card ? { card: options.card } : {},
  );
  await deliverSignedEvent(stack.webhookUrl, completed.event, stack.stripeStandIn.webhookSecret);
  eventBridge.entries.length = 0;
  await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
  return {
    paymentMethod: completed.paymentMethod.id,
    detail: JSON.parse(eventBridge.entries.at(-1)?.Detail ?? '{}'),
  };
}
