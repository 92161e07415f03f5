/*
 * The naive baseline for the webhook, as a straightforward first version would be written: the Stripe SDK
 * for signature verification, the default SQS client, configuration read where it is used. Built with
 * `esbuild --bundle --platform=node` and nothing else (see bench/support/bundles.ts); never deployed.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
const sqs = new SQSClient({});

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const body = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  let stripeEvent: Stripe.Event;
  try {
    stripeEvent = stripe.webhooks.constructEvent(
      body,
      event.headers['stripe-signature'] ?? '',
      process.env.STRIPE_WEBHOOK_SECRET ?? '',
    );
  } catch (error) {
    return { statusCode: 400, body: `Webhook Error: ${(error as Error).message}` };
  }
  if (stripeEvent.type === 'checkout.session.completed') {
    const session = stripeEvent.data.object;
    if (session.mode === 'setup') {
      const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: process.env.QUEUE_URL,
          MessageBody: JSON.stringify({ eventId: stripeEvent.id, sessionId: session.id, customerId }),
          MessageGroupId: customerId ?? session.id,
          MessageDeduplicationId: stripeEvent.id,
        }),
      );
    }
  }
  return { statusCode: 200, body: JSON.stringify({ received: true }) };
};
