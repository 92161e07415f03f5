import { type Stack, Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { JWT_AUTHORIZED_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../functions/shared/routes';

const FORM_ROUTE = 'POST /create-checkout-session';

/** Routes without an API Gateway authorizer, and what authenticates them instead. */
const AUTHENTICATED_IN_FUNCTION: Record<string, string> = {
  [STRIPE_WEBHOOK_ROUTE]:
    'Stripe cannot send a bearer token: the webhook function authenticates every delivery by its Stripe-Signature (HMAC-SHA256 with the endpoint secret, 300 s tolerance) before reading it.',
  [FORM_ROUTE]:
    'A plain HTML form cannot set an Authorization header, which is all an HTTP API authorizer reads: the form carries the JWT in a hidden field and the function verifies it against the same issuer and audience (jose, the issuer JWKS).',
};

/**
 * cdk-nag findings that are accepted on purpose, each with the reason a security reviewer would need.
 * Kept in one place so the list is easy to audit.
 */
export function acknowledgeNagFindings(stack: Stack): void {
  const acknowledge = (id: string, reason: string) =>
    Validations.of(stack).acknowledge({ id: `AwsSolutions::${id}`, reason });
  acknowledge(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only lets each function write its own CloudWatch Logs; it is the AWS-maintained minimum for Lambda.',
  );
  acknowledge(
    'AwsSolutions-IAM5[Resource::*]',
    'The only Resource::* statement is X-Ray tracing (PutTraceSegments/PutTelemetryRecords), which supports no resource scoping.',
  );
  acknowledge(
    'AwsSolutions-SMG4',
    'Stripe API keys and webhook secrets are rolled in the Stripe Dashboard, not by a Secrets Manager rotation Lambda; the README documents the zero-downtime roll. The setup proof key is rolled by hand as a comma-separated list (README, Security).',
  );
  acknowledgeRoutesWithoutAuthorizer(stack);
}

/**
 * APIG4 (no authorizer) is acknowledged route by route, never stack-wide, so a new route without an
 * authorizer still fails the synth. The session routes get one only on a dev stage that was deployed
 * unauthenticated on purpose (allowUnauthenticated=true; a prod stage refuses to synthesise without jwtIssuer).
 */
function acknowledgeRoutesWithoutAuthorizer(stack: Stack): void {
  for (const route of stack.node.findAll()) {
    if (!(route instanceof CfnRoute) || (route.authorizationType ?? 'NONE') !== 'NONE') continue;
    const reason =
      AUTHENTICATED_IN_FUNCTION[route.routeKey] ??
      (JWT_AUTHORIZED_ROUTES.includes(route.routeKey)
        ? 'This dev stage was synthesised with allowUnauthenticated=true: the session API runs without the JWT authorizer and logs a warning at every cold start. A prod stage requires jwtIssuer.'
        : undefined);
    if (reason) Validations.of(route).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
  }
}
