import {
  CHECKOUT_API_ROUTES,
  STRIPE_CALLS_PER_REQUEST,
  STRIPE_WEBHOOK_ROUTE,
} from '../../functions/shared/routes';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';
import { createdBefore, type TemplateJson } from './template-graph';

/*
 * Every route that reaches Stripe has its own API Gateway route throttle sized in Stripe calls, and the
 * webhook has its own, so one hammered route cannot spend the Stripe account's rate limit (25 requests/s
 * in test mode, 100 live: https://docs.stripe.com/rate-limits) nor unsigned junk the limit Stripe's
 * deliveries need. Route-level throttling and its RouteSettings, keyed by route key, replacing the stage's
 * defaults for that route: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigatewayv2-stage-routesettings.html.
 */

type RouteSetting = {
  DetailedMetricsEnabled: boolean;
  ThrottlingRateLimit: number;
  ThrottlingBurstLimit: number;
};
type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };

function stageOf(template: TemplateJson) {
  const resources = template.Resources as Record<string, Resource>;
  const [id, stage] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage') ?? [];
  if (!id || !stage) throw new Error('no stage');
  return { id, routeSettings: stage.Properties?.RouteSettings as Record<string, RouteSetting> };
}

const STRIPE_ROUTES = CHECKOUT_API_ROUTES.filter((route) => STRIPE_CALLS_PER_REQUEST[route] > 0);

describe.each([
  // Two fifths of the account's limit by default (lib/capacity.ts).
  ['a test-mode stage', {}, 10],
  ['a live prod stage', PROD_CONTEXT, 40],
])('%s', (_name, context, apiShare) => {
  let template: TemplateJson;
  beforeAll(() => {
    template = synthServiceTemplate(context).template.toJSON() as TemplateJson;
  });

  it('gives every route that reaches Stripe, and the webhook, a throttle of its own; the rest take the stage’s', () => {
    const { routeSettings } = stageOf(template);
    expect(Object.keys(routeSettings).sort()).toEqual([...STRIPE_ROUTES, STRIPE_WEBHOOK_ROUTE].sort());
  });

  it('sizes each Stripe route in Stripe calls: rate and burst × calls per request within the API’s share', () => {
    const { routeSettings } = stageOf(template);
    for (const route of STRIPE_ROUTES) {
      const setting = routeSettings[route] as RouteSetting;
      const calls = STRIPE_CALLS_PER_REQUEST[route];
      expect({ route, ...setting }).toEqual({
        route,
        // Without it the route's metrics, and the 5xx alarm on them, would stay empty.
        DetailedMetricsEnabled: true,
        ThrottlingRateLimit: Math.floor(apiShare / calls),
        ThrottlingBurstLimit: Math.floor(apiShare / calls),
      });
      expect(setting.ThrottlingRateLimit).toBeGreaterThanOrEqual(1);
      expect(setting.ThrottlingRateLimit * calls).toBeLessThanOrEqual(apiShare);
    }
  });

  it('throttles the webhook on its own route, with no reserved concurrency (a new account’s quota refuses it)', () => {
    const { routeSettings } = stageOf(template);
    expect(routeSettings[STRIPE_WEBHOOK_ROUTE]).toEqual({
      DetailedMetricsEnabled: true,
      ThrottlingRateLimit: 25,
      ThrottlingBurstLimit: 50,
    });
    // A reservation would leave less than the unreserved minimum of 10 on a new account
    // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html): a fresh deploy fails.
    const functions = Object.values(template.Resources as Record<string, Resource>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.filter((f) => f.Properties?.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  it('creates every route the stage names before the stage', () => {
    // "Unable to find Route by key … within the provided RouteSettings" otherwise
    // (https://github.com/aws/serverless-application-model/issues/2479).
    const { id, routeSettings } = stageOf(template);
    const resources = template.Resources as Record<string, Resource>;
    const before = createdBefore(template, id);
    for (const routeKey of Object.keys(routeSettings)) {
      const routes = Object.entries(resources).filter(
        ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === routeKey,
      );
      expect({ routeKey, routes: routes.length }).toEqual({ routeKey, routes: 1 });
      expect({ routeKey, createdBefore: before.has(routes[0]?.[0] as string) }).toEqual({
        routeKey,
        createdBefore: true,
      });
    }
  });
});

describe('throttles follow the operator’s capacity settings', () => {
  it('a live stage sized for 10 setups/s: the worker, the session API and the webhook grow with it', () => {
    const { template } = synthServiceTemplate({
      ...PROD_CONTEXT,
      peakSetupsPerSecond: '10',
      stripeRateLimit: '200',
      workerStripeSharePercent: '40',
      apiStripeSharePercent: '40',
    });
    const json = template.toJSON() as TemplateJson;
    const { routeSettings } = stageOf(json);
    // The session API's share: 40 % of 200 = 80 Stripe calls/s.
    expect(routeSettings['GET /payment-methods']?.ThrottlingRateLimit).toBe(20);
    expect(routeSettings['GET /checkout-sessions/{id}']?.ThrottlingRateLimit).toBe(80);
    // 10 setups/s × 2 events × 4.
    expect(routeSettings[STRIPE_WEBHOOK_ROUTE]?.ThrottlingRateLimit).toBe(80);
    // The worker's share: 80 requests/s = 8 instances × 10.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 8 },
    });
  });

  it('an explicit status throttle within the API’s share is kept', () => {
    const { template } = synthServiceTemplate({
      statusThrottleRateLimit: '8',
      statusThrottleBurstLimit: '9',
    });
    const { routeSettings } = stageOf(template.toJSON() as TemplateJson);
    expect(routeSettings['GET /checkout-sessions/{id}']).toMatchObject({
      ThrottlingRateLimit: 8,
      ThrottlingBurstLimit: 9,
    });
  });
});
