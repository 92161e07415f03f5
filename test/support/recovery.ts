import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type Stripe from 'stripe';
import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import type { StoredEvent } from '../../dev/stripe-stand-in/types';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import type { StackWithOutcomes } from './eventbridge-stand-in';
import { deliverSignedEvent } from './webhooks';

export const DAY = 24 * 60 * 60;
export const START = 1_900_000_000;

/** The worker as deployed with recovery on: outcome events on the bus, links under the API's URL. */
export function recoveryWorker(running: StackWithOutcomes, env: Record<string, string> = {}) {
  return wireSetupWorker({
    ...running.stack.env,
    EVENT_BUS_NAME: 'saas-events',
    UPDATE_LINK_BASE_URL: running.stack.api.url,
    ...env,
  });
}

/** Runs the worker over the queue until it is empty. */
export async function drain(running: StackWithOutcomes, worker = recoveryWorker(running)) {
  await drainQueue(running.stack.sqs.client, running.stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
}

/** The recovery events published so far, by detail type, with their detail parsed. */
export function recoveryEvents(running: StackWithOutcomes, detailType: string) {
  return running.eventBridge.entries
    .filter((entry) => entry.DetailType === detailType)
    .map((entry) => JSON.parse(entry.Detail) as Record<string, unknown> & { updateUrl?: string });
}

/** Stripe's events of these types since the last call, oldest first (as the stand-in recorded them). */
export function eventsSince(running: StackWithOutcomes, types: string[], after: Set<string>): StoredEvent[] {
  const fresh = [...running.stack.stripeStandIn.store.events.values()].filter(
    (event) => types.includes(event.type) && !after.has(event.id),
  );
  for (const event of fresh) after.add(event.id);
  return fresh;
}

/** Delivers events to the webhook as Stripe would (signed), in the given order. */
export async function deliver(running: StackWithOutcomes, events: StoredEvent[]) {
  for (const event of events) {
    const reply = await deliverSignedEvent(
      running.stack.webhookUrl,
      event,
      running.stack.stripeStandIn.webhookSecret,
    );
    if (reply.status !== 200) throw new Error(`webhook answered ${reply.status}: ${reply.text}`);
  }
}

/** A customer on a test clock whose default is the given test method. */
export async function customerOnClock(stripe: Stripe, paymentMethod?: string) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
  const customer = await stripe.customers.create({ test_clock: clock.id, email: 'jenny@example.com' });
  let method: string | undefined;
  if (paymentMethod) {
    method = (await stripe.paymentMethods.attach(paymentMethod, { customer: customer.id })).id;
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method } });
  }
  return { clock: clock.id, customer: customer.id, paymentMethod: method };
}

export async function advanceClock(running: StackWithOutcomes, clock: string, to: number) {
  await running.stack.stripe.testHelpers.testClocks.advance(clock, { frozen_time: to });
  await running.stack.stripeStandIn.testClocksReady();
}

/** Writes a recovery message straight to the work queue, as something other than the webhook could. */
export async function sendToQueue(
  running: StackWithOutcomes,
  message: { eventId: string; customerId: string } & Record<string, unknown>,
) {
  const { sqs } = running.stack;
  await sqs.client.send(
    new SendMessageCommand({
      QueueUrl: sqs.queueUrl,
      MessageBody: JSON.stringify(message),
      ...(sqs.queueUrl.endsWith('.fifo')
        ? { MessageGroupId: message.customerId, MessageDeduplicationId: message.eventId }
        : {}),
    }),
  );
}
