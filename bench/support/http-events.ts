import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toHttpApiEvent } from '../../dev/http-api/event';
import { signPayload } from '../../dev/stripe-stand-in/webhook-signing';

/** A Stripe webhook delivery as API Gateway hands it to the function: raw JSON, real signature. */
export function signedWebhookEvent(stripeEvent: object, secret: string): APIGatewayProxyEventV2 {
  // Stripe sends events pretty-printed; the signature covers these exact bytes.
  const payload = JSON.stringify(stripeEvent, null, 2);
  return toHttpApiEvent({
    method: 'POST',
    url: '/webhooks/stripe',
    routeKey: 'POST /webhooks/stripe',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': signPayload(payload, secret),
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
    body: payload,
  });
}

export function createSessionEvent(customer: string, subscription: string): APIGatewayProxyEventV2 {
  return toHttpApiEvent({
    method: 'POST',
    url: '/checkout-sessions',
    routeKey: 'POST /checkout-sessions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, subscription }),
  });
}

export function sessionStatusEvent(sessionId: string, customer: string): APIGatewayProxyEventV2 {
  return toHttpApiEvent({
    method: 'GET',
    url: `/checkout-sessions/${sessionId}?customer=${customer}`,
    routeKey: 'GET /checkout-sessions/{id}',
    pathParameters: { id: sessionId },
  });
}
