import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { type AwsFault, faultAnswer } from '../support/aws-fault-answers';
import { captureLogLines } from '../support/log-capture';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { signedWebhookEvent } from '../support/webhooks';

/*
 * A recovery event whose SendMessage fails is answered as a setup's is. Oracles: SendMessage's errors
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html:
 * InvalidParameterValue and RequestThrottled are the sender's, InternalError and ServiceUnavailable the
 * service's, in SQS's JSON protocol as the pinned @aws-sdk/client-sqs reads it), and Stripe's retries
 * (https://docs.stripe.com/webhooks#retries: any answer outside 2xx is delivered again, for up to 3 days).
 * A refused message would be refused on every retry: acknowledged, but logged and alarmed, never silent.
 */
let stack: ServiceStack;
let refusingSqs: Server;
let fault: AwsFault = 'internal';
let sendAttempts = 0;

beforeAll(async () => {
  stack = await startServiceStack();
  refusingSqs = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      sendAttempts++;
      const answer = faultAnswer('sqs', fault);
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => refusingSqs.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => refusingSqs.close(resolve));
  await stack.close();
});

/** One delivery to the webhook wired to a queue on the refusing SQS (the SDK sends to the queue URL's host). */
async function deliverAgainstRefusingSqs(event: unknown) {
  const port = (refusingSqs.address() as AddressInfo).port;
  const webhook = wireStripeWebhook({
    ...stack.env,
    QUEUE_URL: `http://127.0.0.1:${port}/123456789012/setups`,
    LOG_LEVEL: 'info',
  });
  return webhook(signedWebhookEvent(event, stack.stripeStandIn.webhookSecret));
}

async function customerDeletedEvent() {
  const customer = await stack.stripe.customers.create({});
  await stack.stripe.customers.del(customer.id);
  const event = [...stack.stripeStandIn.store.events.values()].find(
    (stored) =>
      stored.type === 'customer.deleted' && (stored.data.object as { id: string }).id === customer.id,
  );
  if (!event) throw new Error('the stand-in recorded no customer.deleted');
  return event;
}

describe('a recovery event SQS does not take', () => {
  it.each([
    ['throttled (RequestThrottled)', 'request_throttled'],
    ['an SQS 500 (InternalError)', 'internal'],
    ['SQS unavailable (503)', 'unavailable'],
  ] as const)('%s: 503 queue_unavailable, so Stripe delivers it again', async (_label, answer) => {
    fault = answer;
    sendAttempts = 0;
    const event = await customerDeletedEvent();
    const result = await deliverAgainstRefusingSqs(event);
    expect(sendAttempts).toBeGreaterThan(0);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '{}').error.code).toBe('queue_unavailable');
  });

  it('refused (InvalidParameterValue): acknowledged (every retry would be refused), never silently: an error line naming the event', async () => {
    fault = 'invalid_parameter';
    sendAttempts = 0;
    const event = await customerDeletedEvent();
    let result: Awaited<ReturnType<typeof deliverAgainstRefusingSqs>> | undefined;
    const lines = await captureLogLines(async () => {
      result = await deliverAgainstRefusingSqs(event);
    });
    expect(sendAttempts).toBe(1);
    expect(result?.statusCode).toBe(200);
    expect(JSON.parse(result?.body ?? '{}')).toEqual({ received: true, enqueued: false });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'SQS refused the event; acknowledged without enqueueing',
        stripeEventId: event.id,
        eventType: 'customer.deleted',
      }),
    );
  });
});
