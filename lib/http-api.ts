import { Aspects, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_RULES } from '../functions/shared/cors-rules';
import {
  BACKEND_ROUTES,
  CHECKOUT_API_ROUTES,
  JWT_AUTHORIZED_ROUTES,
  STRIPE_WEBHOOK_ROUTE,
} from '../functions/shared/routes';

export interface ServiceHttpApiProps {
  checkoutApi: IFunction;
  stripeWebhook: IFunction;
  allowedOrigins: string[];
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /**
   * Each route's own throttle, by route key (lib/capacity.ts): every route that reaches Stripe, sized in
   * Stripe calls, and the webhook. The other routes take the stage's.
   */
  routeThrottles: Record<string, { rateLimit: number; burstLimit: number }>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Under `/aws/vendedlogs/` (see lib/physical-names.ts). */
  accessLogGroupName: string;
  /** The identity provider whose JWTs the session routes require; unset only for an unauthenticated dev stage. */
  jwt?: { issuer: string; audiences: string[] };
  /** The scope a backend's JWT must carry to mint update links; unset: those routes take IAM-signed calls. */
  updateLinksScope?: string;
}

/**
 * One JSON line per request with what a 401 or a 5xx is debugged from: which route, what the authorizer and
 * the integration said (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/** The HTTPS front door: session API routes for frontends, one route for Stripe's webhook. */
export class ServiceHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Stripe setup-mode session API and Stripe webhook',
      createDefaultStage: false,
      ...(props.allowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: props.allowedOrigins,
              allowMethods: CORS_RULES.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...CORS_RULES.allowHeaders],
              exposeHeaders: [...CORS_RULES.exposeHeaders],
              maxAge: Duration.seconds(CORS_RULES.maxAgeSeconds),
            },
          }
        : {}),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.accessLogGroupName,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Per-route metrics, so the webhook's 5xx can be alarmed on apart from the session API's.
      detailedMetricsEnabled: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const checkoutIntegration = new HttpLambdaIntegration('CheckoutApi', props.checkoutApi);
    // API Gateway verifies the bearer token (signature by the issuer's JWKS, iss, aud, exp) before the
    // function runs, and passes the claims in requestContext.authorizer.jwt.claims.
    const authorizer =
      props.jwt && new HttpJwtAuthorizer('CallerJwt', props.jwt.issuer, { jwtAudience: props.jwt.audiences });
    // Minting and revoking update links name any customer: never a customer's token. IAM (SigV4, the
    // backend's role) unless the operator names a scope its JWTs carry, which API Gateway then requires
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
    const backendAuthorization =
      authorizer && props.updateLinksScope
        ? { authorizer, authorizationScopes: [props.updateLinksScope] }
        : { authorizer: new HttpIamAuthorizer() };
    for (const routeKey of CHECKOUT_API_ROUTES) {
      const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
      this.api.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration: checkoutIntegration,
        // The form route verifies its hidden-field token in the function (see JWT_AUTHORIZED_ROUTES).
        ...(authorizer && JWT_AUTHORIZED_ROUTES.includes(routeKey) ? { authorizer } : {}),
        ...(BACKEND_ROUTES.includes(routeKey) ? backendAuthorization : {}),
      });
    }
    // Under the stage's throttle alone, a route whose requests each make several Stripe calls could spend the
    // account's Stripe rate limit, which the worker and the SaaS share, and unsigned junk to the webhook the
    // limit Stripe's deliveries need: each gets its own, sized in lib/capacity.ts. A route's settings replace the stage's defaults for
    // that route, so each repeats DetailedMetricsEnabled, or its per-route metrics (and the 5xx alarm on them)
    // would stay empty
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigatewayv2-stage-routesettings.html;
    // route-level throttling: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html).
    (this.stage.node.defaultChild as CfnStage).addPropertyOverride(
      'RouteSettings',
      Object.fromEntries(
        Object.entries(props.routeThrottles).map(([routeKey, throttle]) => [
          routeKey,
          {
            DetailedMetricsEnabled: true,
            ThrottlingRateLimit: throttle.rateLimit,
            ThrottlingBurstLimit: throttle.burstLimit,
          },
        ]),
      ),
    );
    const [, webhookPath] = STRIPE_WEBHOOK_ROUTE.split(' ') as [string, string];
    this.api.addRoutes({
      path: webhookPath,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('StripeWebhook', props.stripeWebhook),
    });
    // API Gateway checks each RouteSettings key against the API's routes when it creates the stage
    // ("Unable to find Route by key … within the provided RouteSettings":
    // https://github.com/aws/serverless-application-model/issues/2479), so the stage waits for every route,
    // also one added to the API after this constructor.
    const stage = this.stage;
    Aspects.of(this.api).add({
      visit(node) {
        if (node instanceof HttpRoute) stage.node.addDependency(node);
      },
    });
  }

  /** The endpoint URL of the $default stage, without a trailing slash. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
