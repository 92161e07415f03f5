/*
 * The naive baseline for the session API: the Stripe SDK and the default DynamoDB client, both routes in
 * one handler. Built with `esbuild --bundle --platform=node` only; never deployed.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
const dynamodb = new DynamoDBClient({});

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  try {
    if (event.requestContext.http.method === 'POST') {
      const body = JSON.parse(event.body ?? '{}') as { customer: string; subscription?: string };
      if (body.subscription) {
        const subscription = await stripe.subscriptions.retrieve(body.subscription);
        if (subscription.customer !== body.customer) return { statusCode: 403, body: 'Forbidden' };
      }
      const metadata = { customer_id: body.customer, subscription_id: body.subscription ?? '' };
      const session = await stripe.checkout.sessions.create({
        mode: 'setup',
        customer: body.customer,
        currency: 'usd',
        success_url: `${process.env.CHECKOUT_SUCCESS_URL}?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: process.env.CHECKOUT_CANCEL_URL,
        setup_intent_data: { metadata },
        metadata,
      });
      return { statusCode: 201, body: JSON.stringify({ id: session.id, url: session.url }) };
    }
    const id = event.pathParameters?.id ?? '';
    const session = await stripe.checkout.sessions.retrieve(id, { expand: ['setup_intent'] });
    const record = await dynamodb.send(
      new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: `checkout_session#${id}` } } }),
    );
    return {
      statusCode: 200,
      body: JSON.stringify({
        id,
        status: session.status,
        defaultsApplied: record.Item?.status?.S === 'applied',
      }),
    };
  } catch (error) {
    console.error(error);
    return { statusCode: 500, body: 'Internal error' };
  }
};
