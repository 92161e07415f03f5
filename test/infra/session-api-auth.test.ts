import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';

type Route = { Properties: { RouteKey: string; AuthorizationType?: string; AuthorizerId?: unknown } };

function routesByKey(template: Template): Record<string, Route['Properties']> {
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Route[];
  return Object.fromEntries(routes.map((route) => [route.Properties.RouteKey, route.Properties]));
}

function functionVariables(template: Template, marker: string): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }[];
  const found = functions.find((fn) => marker in fn.Properties.Environment.Variables);
  if (!found) throw new Error(`no function with ${marker}`);
  return found.Properties.Environment.Variables;
}

/** Which routes' APIG4 (no authorizer) findings were acknowledged, and the nag conclusion. */
function nagReport(assembly: CloudAssembly) {
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  const nag = report.pluginReports.find(
    (plugin: { pluginName: string }) => plugin.pluginName === 'AwsSolutions',
  );
  const apig4 = nag.suppressedViolations
    .filter((suppressed: { ruleName: string }) => suppressed.ruleName === 'AwsSolutions-APIG4')
    .flatMap((suppressed: { violatingConstructs: { constructPath: string }[] }) =>
      suppressed.violatingConstructs.map((construct) => construct.constructPath),
    );
  return { violations: nag.violations, acknowledgedWithoutAuthorizer: apig4 as string[] };
}

describe('the session API with JWT auth (jwtIssuer and jwtAudience set)', () => {
  let synthesised: ReturnType<typeof synthServiceTemplate>;
  beforeAll(() => {
    synthesised = synthServiceTemplate({
      jwtIssuer: 'https://auth.example.com/',
      jwtAudience: 'billing-api,billing-web',
      customerClaim: 'https://example.com/stripe_customer',
      allowedOrigins: ['https://app.example.com'],
      stripeMode: 'live',
    });
  });

  it('has one JWT authorizer with the issuer and audiences from context', () => {
    synthesised.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://auth.example.com/', Audience: ['billing-api', 'billing-web'] },
    });
  });

  it('puts the same authorizer on the session and saved-method routes, and not on the form or webhook', () => {
    const routes = routesByKey(synthesised.template);
    for (const key of [
      'POST /checkout-sessions',
      'POST /form-tokens',
      'GET /checkout-sessions/{id}',
      'GET /payment-methods',
      'POST /payment-methods/{id}/default',
      'DELETE /payment-methods/{id}',
      'GET /payment-methods/changes/{id}',
    ]) {
      expect(routes[key]).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
    }
    // The form cannot send an Authorization header (the function verifies its form token); Stripe signs the webhook.
    expect(routes['POST /create-checkout-session']?.AuthorizationType).toBe('NONE');
    expect(routes['POST /webhooks/stripe']?.AuthorizationType).toBe('NONE');
  });

  it('gives the session API what it needs to verify the form token, limit callers and check redirects', () => {
    expect(functionVariables(synthesised.template, 'CHECKOUT_SUCCESS_URL')).toMatchObject({
      AUTH_MODE: 'jwt',
      JWT_ISSUER: 'https://auth.example.com/',
      JWT_AUDIENCE: 'billing-api,billing-web',
      JWT_CUSTOMER_CLAIM: 'https://example.com/stripe_customer',
      ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com',
      SESSIONS_PER_CUSTOMER_PER_MINUTE: '10',
    });
    synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://app.example.com'] },
    });
  });

  it('exposes Retry-After and Location to pages on the allowed origins', () => {
    // Neither is a CORS-safelisted response header (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name),
    // so without ExposeHeaders a page's script cannot read when to retry a 429/503 or where a 202's status is.
    synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { ExposeHeaders: ['retry-after', 'location'] },
    });
  });

  it('tells the webhook the Stripe mode, not the key', () => {
    expect(functionVariables(synthesised.template, 'STRIPE_WEBHOOK_SECRET_ARN')).toMatchObject({
      STRIPE_MODE: 'live',
    });
  });

  it('acknowledges “no authorizer” only for the form and webhook routes, and nag stays clean', () => {
    const { violations, acknowledgedWithoutAuthorizer } = nagReport(synthesised.assembly);
    expect(violations).toEqual([]);
    expect(acknowledgedWithoutAuthorizer.sort()).toEqual([
      expect.stringMatching(/\/GET--u--\{token\}\//),
      expect.stringMatching(/\/POST--create-checkout-session\//),
      expect.stringMatching(/\/POST--webhooks--stripe\//),
    ]);
  });

  // Minting an update link names any customer: IAM (SigV4) unless the operator names a JWT scope, which API
  // Gateway then requires (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html:
  // "the route's authorization scopes" must intersect the token's `scope`/`scp`).
  it('puts the update-link backend routes behind IAM, never behind a customer’s bare JWT', () => {
    for (const routeKey of ['POST /update-links', 'DELETE /update-links/{id}']) {
      synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'AWS_IAM',
      });
    }
  });

  it('with updateLinksScope, the backend routes take the JWT authorizer and require that scope', () => {
    const scoped = synthServiceTemplate({
      jwtIssuer: 'https://auth.example.com/',
      jwtAudience: 'setup-api',
      updateLinksScope: 'billing:update-links',
    });
    scoped.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /update-links',
      AuthorizationType: 'JWT',
      AuthorizationScopes: ['billing:update-links'],
    });
    expect(functionVariables(scoped.template, 'CHECKOUT_SUCCESS_URL').UPDATE_LINKS_SCOPE).toBe(
      'billing:update-links',
    );
  });
});

describe('running without authentication', () => {
  const noIssuer = { jwtIssuer: '', jwtAudience: '' };

  it('is refused unless the context says allowUnauthenticated=true', () => {
    expect(() => synthServiceTemplate(noIssuer)).toThrow(/jwtIssuer is required.*allowUnauthenticated/);
  });

  it('is refused for a prod stage even with the flag', () => {
    expect(() => synthServiceTemplate({ ...noIssuer, ...PROD_CONTEXT, allowUnauthenticated: true })).toThrow(
      /jwtIssuer is required for stage prod/,
    );
  });

  it('a dev stage with the flag: no authorizer, AUTH_MODE=none, a synth warning, nag acknowledged per route', () => {
    const { template, assembly, stack } = synthServiceTemplate({ ...noIssuer, allowUnauthenticated: true });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(functionVariables(template, 'CHECKOUT_SUCCESS_URL').AUTH_MODE).toBe('none');
    const warnings = assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((message) => message.level === 'warning')
      .map((message) => String(message.entry.data));
    expect(warnings.some((warning) => /unauthenticated/.test(warning))).toBe(true);
    const { violations, acknowledgedWithoutAuthorizer } = nagReport(assembly);
    expect(violations).toEqual([]);
    // Every route but the update-link backend routes (IAM): the seven JWT routes, the form route, the
    // update link and the webhook.
    expect(acknowledgedWithoutAuthorizer).toHaveLength(10);
  });
});

describe('settings that would weaken the service are refused, naming them', () => {
  it.each([
    ['an http issuer', { jwtIssuer: 'http://auth.example.com/' }, /jwtIssuer must be an https URL/],
    ['an issuer without audience', { jwtAudience: '' }, /jwtAudience is required/],
    ['an http origin for a public host', { allowedOrigins: ['http://app.example.com'] }, /allowedOrigins/],
    [
      'an http localhost origin in prod',
      { ...PROD_CONTEXT, allowedOrigins: ['http://localhost:3000'] },
      /allowedOrigins/,
    ],
    ['an origin with user info', { allowedOrigins: ['https://user@app.example.com'] }, /allowedOrigins/],
    ['an unknown Stripe mode', { stripeMode: 'sandbox' }, /stripeMode/],
  ])('%s', (_label, context, error) => {
    expect(() => synthServiceTemplate(context)).toThrow(error);
  });

  it('a dev stage may allow an http localhost origin (a local frontend against a dev stack)', () => {
    expect(() => synthServiceTemplate({ allowedOrigins: ['http://localhost:5173'] })).not.toThrow();
  });
});
