/*
 * The naive baseline for the worker: the Stripe SDK and the default DynamoDB client, one record after
 * another, "already done?" read then write. Built with `esbuild --bundle --platform=node` only; never deployed.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
const dynamodb = new DynamoDBClient({});
const TableName = process.env.TABLE_NAME;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as { sessionId: string };
      const key = { pk: { S: `checkout_session#${message.sessionId}` } };
      const done = await dynamodb.send(new GetItemCommand({ TableName, Key: key }));
      if (done.Item) continue;
      const session = await stripe.checkout.sessions.retrieve(message.sessionId, {
        expand: ['setup_intent'],
      });
      const setupIntent = session.setup_intent as Stripe.SetupIntent;
      const paymentMethod = setupIntent.payment_method as string;
      const customer = (setupIntent.customer ?? session.customer) as string;
      if (!setupIntent.customer) await stripe.paymentMethods.attach(paymentMethod, { customer });
      await stripe.customers.update(customer, {
        invoice_settings: { default_payment_method: paymentMethod },
      });
      const subscription = setupIntent.metadata?.subscription_id;
      if (subscription) {
        await stripe.subscriptions.update(subscription, { default_payment_method: paymentMethod });
      }
      await dynamodb.send(new PutItemCommand({ TableName, Item: { ...key, status: { S: 'applied' } } }));
    } catch (error) {
      console.error(error);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
