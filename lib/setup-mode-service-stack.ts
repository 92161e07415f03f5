import {
  Annotations,
  CfnOutput,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { STRIPE_CALLS_PER_SETUP, workerBatchSize } from '../functions/setup-worker/time-budget';
import { CHECKOUT_API_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../functions/shared/routes';
import { DEFAULT_REQUEST_BUDGET, worstCaseCallMs } from '../functions/shared/stripe-client';
import { CanaryDeployments } from './canary-deployments';
import { ServiceHttpApi } from './http-api';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { physicalNames } from './physical-names';
import { ServiceAlarms } from './service-alarms';
import { ServiceDashboard } from './service-dashboard';
import { ServiceFunction } from './service-function';
import {
  QUEUE_RETENTION_SECONDS,
  regionBoundArns,
  type ServiceSettings,
  WORKER_TIMEOUT_SECONDS,
} from './service-settings';
import { sessionApiTableStatements } from './session-api-table-access';
import { SetupQueue } from './setup-queue';
import { SetupRecordsTable } from './setup-records-table';
import { StripeSecrets } from './stripe-secrets';

export interface SetupModeServiceStackProps extends StackProps {
  settings: ServiceSettings;
}

// Room for one Stripe call's worst case (10 s × 3 attempts + backoff) and the rest of a batch.
const WORKER_TIMEOUT = Duration.seconds(WORKER_TIMEOUT_SECONDS);
/** After the worker's last Stripe call: its EventBridge event, its DynamoDB write, the hand-back. */
const WORKER_FINISH_ALLOWANCE_MS = 3_000;

/**
 * As many setups as one invocation has room for at the instance's Stripe rate (time-budget.ts), at most
 * 10: a bigger batch would only be handed back unstarted.
 */
export function workerBatchSizeFor(perInstanceRequestsPerSecond: number): number {
  return workerBatchSize({
    timeMs: WORKER_TIMEOUT_SECONDS * 1000,
    stripeCallWorstCaseMs: worstCaseCallMs(DEFAULT_REQUEST_BUDGET),
    finishAllowanceMs: WORKER_FINISH_ALLOWANCE_MS,
    requestsPerSecond: perInstanceRequestsPerSecond,
    callsPerSetup: STRIPE_CALLS_PER_SETUP,
  });
}

/**
 * One namespace per stack, as a literal string in the functions' environment and the alarms alike: two stacks
 * in one account never share a metric, so a test stage refusing its placeholder secrets never pages for prod.
 */
export function metricsNamespace(stackName: string): string {
  return `StripeSetupModeService/${stackName}`;
}

/** The session API's AUTH_MODE and, with JWT auth, what the form route needs to verify tokens itself. */
function callerAuthEnvironment(settings: ServiceSettings): Record<string, string> {
  const { auth } = settings;
  if (auth.mode === 'none') return { AUTH_MODE: 'none' };
  return {
    AUTH_MODE: 'jwt',
    JWT_ISSUER: auth.issuer,
    JWT_AUDIENCE: auth.audiences.join(','),
    JWT_CUSTOMER_CLAIM: auth.customerClaim,
  };
}

function outcomeEventBus(
  scope: Construct,
  existing: ServiceSettings['eventBus'],
  eventBusName: string,
  removalPolicy: RemovalPolicy,
): IEventBus {
  if (existing && 'arn' in existing) return EventBus.fromEventBusArn(scope, 'OutcomeEvents', existing.arn);
  if (existing) return EventBus.fromEventBusName(scope, 'OutcomeEvents', existing.name);
  const bus = new EventBus(scope, 'OutcomeEvents', {
    eventBusName,
    description: 'Outcomes of Stripe setup-mode payment method updates',
  });
  bus.applyRemovalPolicy(removalPolicy);
  return bus;
}

/** The paths of the session API's routes, as API Gateway's per-route metrics name them (Resource). */
function sessionRoutePaths(): { method: string; path: string }[] {
  return CHECKOUT_API_ROUTES.map((routeKey) => {
    const [method = '', path = ''] = routeKey.split(' ');
    return { method, path };
  });
}

/**
 * CloudFormation `Rules` refusing a create or update in another region than the ARNs the settings name
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html): the stack is
 * environment-agnostic, so only CloudFormation knows the region when it runs.
 */
function requireSameRegion(stack: Stack, settings: ServiceSettings): void {
  for (const { option, region } of regionBoundArns(settings)) {
    new CfnRule(stack, `SameRegion${option[0]?.toUpperCase()}${option.slice(1)}`, {
      assertions: [
        {
          assert: Fn.conditionEquals(Stack.of(stack).region, region),
          assertDescription: `${option} is in ${region}: deploy this stack to ${region}, or name a resource of the stack's own region.`,
        },
      ],
    });
  }
}

/** The whole service: HTTP API, webhook intake, queue, worker, table, secrets and alarms. */
export class SetupModeServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: SetupModeServiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const retain = settings.stage === 'prod';
    // Prod keeps its data on deletion and on replacement, but a create that rolls back deletes what it made,
    // so the create can be retried (DeletionPolicy RetainExceptOnCreate:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
    const removalPolicy = retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = settings.logRetentionDays as RetentionDays;
    const names = physicalNames(this.stackName);
    const METRICS_NAMESPACE = metricsNamespace(this.stackName);
    requireSameRegion(this, settings);

    const table = new SetupRecordsTable(this, 'SetupRecords', {
      tableName: names.table,
      retain,
      removalPolicy,
    }).table;
    const queues = new SetupQueue(this, 'SetupEvents', {
      queueName: names.queue,
      deadLetterQueueName: names.deadLetterQueue,
      maxReceiveCount: settings.maxReceiveCount,
      consumerTimeout: WORKER_TIMEOUT,
      retention: Duration.seconds(QUEUE_RETENTION_SECONDS),
      removalPolicy,
    });
    const secrets = new StripeSecrets(this, 'StripeSecrets', {
      secretKeySecretName: settings.stripeSecretKeySecretName,
      webhookSecretName: settings.stripeWebhookSecretName,
      kmsKeyArn: settings.secretsKmsKeyArn,
      removalPolicy,
    });

    // Where the SaaS hears each setup's outcome (applied, superseded, pending, failed). A bus this stack
    // created outlives a prod stack: the SaaS's own rules hang on it.
    const outcomeBus = outcomeEventBus(this, settings.eventBus, names.bus, removalPolicy);

    // The setup proof's HMAC key (functions/shared/setup-proof.ts): generated here, never seen by anyone,
    // read by the session API (signs) and the worker (verifies).
    const setupProofSecret = new Secret(this, 'SetupProofSecret', {
      description: 'HMAC key proving a setup was created by this service for its customer and subscription',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    const common = { logRetention, removalPolicy };
    // Every function knows the account mode, so a key of the other mode is refused at its first read.
    const stripeMode = { STRIPE_MODE: settings.stripeMode, METRICS_NAMESPACE };
    const records = {
      TABLE_NAME: table.tableName,
      RECORD_RETENTION_DAYS: String(settings.recordRetentionDays),
      // Longer than the worker's timeout, so a live worker's claim never lapses mid-run.
      CLAIM_SECONDS: String(WORKER_TIMEOUT.toSeconds() * 2),
    };
    const checkoutApiFunction = new ServiceFunction(this, 'CheckoutApi', {
      ...common,
      functionName: 'checkout-api',
      description: 'Creates setup-mode Checkout Sessions and reports their status',
      timeout: Duration.seconds(15),
      environment: {
        ...records,
        ...stripeMode,
        STRIPE_SECRET_KEY_ARN: secrets.secretKeyId,
        QUEUE_URL: queues.queue.queueUrl,
        CHECKOUT_SUCCESS_URL: settings.checkoutSuccessUrl,
        CHECKOUT_CANCEL_URL: settings.checkoutCancelUrl,
        CHECKOUT_CURRENCY: settings.checkoutCurrency,
        ...callerAuthEnvironment(settings),
        // The CORS origins are also the only places a caller may have Checkout redirect to.
        ALLOWED_REDIRECT_ORIGINS: settings.allowedOrigins.join(','),
        SESSIONS_PER_CUSTOMER_PER_MINUTE: String(settings.sessionsPerCustomerPerMinute),
        CHECKOUT_SESSION_MINUTES: String(settings.checkoutSessionMinutes),
        SETUP_PROOF_SECRET_ARN: setupProofSecret.secretArn,
        UPDATE_LINK_DAYS: String(settings.updateLinkDays),
        ...(settings.updateLinksScope ? { UPDATE_LINKS_SCOPE: settings.updateLinksScope } : {}),
        ...(settings.updateLinkBaseUrl ? { UPDATE_LINK_BASE_URL: settings.updateLinkBaseUrl } : {}),
      },
    });
    const stripeWebhookFunction = new ServiceFunction(this, 'StripeWebhook', {
      ...common,
      functionName: 'stripe-webhook',
      description: 'Verifies Stripe webhook signatures and queues setup work',
      timeout: Duration.seconds(10),
      environment: {
        ...stripeMode,
        STRIPE_WEBHOOK_SECRET_ARN: secrets.webhookSecretId,
        QUEUE_URL: queues.queue.queueUrl,
        // Completed sessions are recorded for the status route, so it answers them without Stripe.
        TABLE_NAME: table.tableName,
        RECORD_RETENTION_DAYS: String(settings.recordRetentionDays),
      },
    });
    const { maxConcurrency, perInstance } = settings.capacity.worker;
    const workerFunction = new ServiceFunction(this, 'SetupWorker', {
      ...common,
      functionName: 'setup-worker',
      description: 'Makes the new payment method the default for the customer and subscription',
      timeout: WORKER_TIMEOUT,
      environment: {
        ...records,
        ...stripeMode,
        STRIPE_SECRET_KEY_ARN: secrets.secretKeyId,
        STRIPE_MAX_REQUESTS_PER_SECOND: String(perInstance),
        // Failed records are handed back to the queue with backoff, or dead-lettered past the horizon.
        QUEUE_URL: queues.queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: queues.deadLetterQueue.queueUrl,
        RETRY_BACKOFF_CAP_SECONDS: String(settings.retryBackoffCapSeconds),
        DEAD_LETTER_AFTER_SECONDS: String(settings.deadLetterAfterHours * 3600),
        SETUP_PROOF_SECRET_ARN: setupProofSecret.secretArn,
        // PutEvents takes a name or an ARN; an ARN also reaches a bus in another account.
        EVENT_BUS_NAME:
          settings.eventBus && 'arn' in settings.eventBus ? outcomeBus.eventBusArn : outcomeBus.eventBusName,
        PAY_OPEN_INVOICE: String(settings.payOpenInvoice),
        SUBSCRIPTION_DEFAULTS: settings.subscriptionDefaults,
        DETACH_REPLACED: String(settings.detachReplaced),
        UPDATE_LINK_DAYS: String(settings.updateLinkDays),
        ...(settings.updateNeededReasons ? { UPDATE_NEEDED_REASONS: settings.updateNeededReasons } : {}),
      },
    });
    const [checkoutApi, stripeWebhook, worker] = [
      checkoutApiFunction,
      stripeWebhookFunction,
      workerFunction,
    ].map((serviceFunction) => serviceFunction.function) as [NodejsFunction, NodejsFunction, NodejsFunction];
    // What API Gateway and the event source invoke: prod's live aliases (canary deployments), else the functions.
    const canary = settings.stage === 'prod' ? new CanaryDeployments(this, 'Canary') : undefined;
    const invoked = {
      checkoutApi: canary?.liveAlias('CheckoutApi', checkoutApi) ?? checkoutApi,
      stripeWebhook: canary?.liveAlias('StripeWebhook', stripeWebhook) ?? stripeWebhook,
      worker: canary?.liveAlias('SetupWorker', worker) ?? worker,
    };
    invoked.worker.addEventSource(
      new SqsEventSource(queues.queue, {
        batchSize: workerBatchSizeFor(perInstance),
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    // Least privilege: each function gets exactly the calls its code makes, on its own resources (the
    // queue grant helpers would add GetQueueUrl and GetQueueAttributes, which no function calls). Secrets
    // go through CDK's grant, which names an imported secret's ARN with its random suffix and adds
    // kms:Decrypt (via Secrets Manager only) for a customer-managed key.
    const allow = (actions: string[], resource: string) =>
      new PolicyStatement({ actions, resources: [resource] });
    const readWriteRecords = allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], table.tableArn);
    const sendSetupEvents = allow(['sqs:SendMessage'], queues.queue.queueArn);
    secrets.grantRead(secrets.webhookSecret, stripeWebhook);
    secrets.grantRead(secrets.secretKey, worker);
    secrets.grantRead(secrets.secretKey, checkoutApi);
    // The setup proof key: the session API signs with it, the worker verifies with it.
    secrets.grantRead(setupProofSecret, worker);
    secrets.grantRead(setupProofSecret, checkoutApi);
    stripeWebhook.addToRolePolicy(sendSetupEvents);
    // The internet-facing function writes only the completed sessions' status items, nothing the worker
    // trusts (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
    stripeWebhook.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['session_view#*'] } },
      }),
    );
    worker.addToRolePolicy(readWriteRecords);
    // Who owns each default (customer, subscription) is read in one batch.
    worker.addToRolePolicy(allow(['dynamodb:BatchGetItem'], table.tableArn));
    worker.addToRolePolicy(allow(['events:PutEvents'], outcomeBus.eventBusArn));
    // Its own records handed back with backoff; dead-lettered past the horizon.
    worker.addToRolePolicy(allow(['sqs:ChangeMessageVisibility'], queues.queue.queueArn));
    worker.addToRolePolicy(allow(['sqs:SendMessage'], queues.deadLetterQueue.queueArn));
    // Only the items it writes (and the owner record it reads), never the worker's owner records.
    for (const statement of sessionApiTableStatements(table.tableArn)) checkoutApi.addToRolePolicy(statement);
    // The status path re-enqueues sessions whose webhook never arrived.
    checkoutApi.addToRolePolicy(sendSetupEvents);

    const http = new ServiceHttpApi(this, 'HttpApi', {
      ...common,
      accessLogGroupName: names.accessLogGroup,
      checkoutApi: invoked.checkoutApi,
      stripeWebhook: invoked.stripeWebhook,
      allowedOrigins: settings.allowedOrigins,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      routeThrottles: settings.capacity.routeThrottles,
      ...(settings.auth.mode === 'jwt'
        ? { jwt: { issuer: settings.auth.issuer, audiences: settings.auth.audiences } }
        : {}),
      ...(settings.updateLinksScope ? { updateLinksScope: settings.updateLinksScope } : {}),
    });
    // The update links the worker mints start with the configured custom domain, else the API's own URL (the
    // session API then reads its host from API Gateway, which spares it a reference to the API it is in).
    worker.addEnvironment('UPDATE_LINK_BASE_URL', settings.updateLinkBaseUrl ?? http.url);
    if (settings.auth.mode === 'none') {
      Annotations.of(this).addWarningV2(
        'stripe-setup-mode-service:unauthenticated-session-api',
        'The session API is unauthenticated (allowUnauthenticated=true): anyone who can reach it can create sessions for any customer. Set jwtIssuer and jwtAudience.',
      );
    }
    const webhookPath = STRIPE_WEBHOOK_ROUTE.split(' ')[1] ?? '/webhooks/stripe';
    const alarms = new ServiceAlarms(this, 'Alarms', {
      queue: queues.queue,
      deadLetterQueue: queues.deadLetterQueue,
      worker,
      checkoutApi,
      stripeWebhook,
      apiId: http.api.apiId,
      accessLogs: http.accessLogs,
      webhookPath,
      sessionPaths: sessionRoutePaths(),
      metricsNamespace: METRICS_NAMESPACE,
      alarmTopicArn: settings.alarmTopicArn,
    });
    new ServiceDashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      metricsNamespace: METRICS_NAMESPACE,
      alarms,
      queue: queues.queue,
      deadLetterQueue: queues.deadLetterQueue,
      routes: [...sessionRoutePaths(), { method: 'POST', path: webhookPath }],
    });
    canary?.guard({
      CheckoutApi: alarms.forFunction('checkout-api'),
      StripeWebhook: alarms.forFunction('stripe-webhook'),
      SetupWorker: alarms.forFunction('setup-worker'),
    });
    acknowledgeNagFindings(this, {
      functions: [checkoutApiFunction, stripeWebhookFunction, workerFunction],
      createdSecrets: [...secrets.created, setupProofSecret],
    });

    new CfnOutput(this, 'ApiUrl', {
      value: http.url,
      description: 'Base URL of the session API for frontends',
    });
    new CfnOutput(this, 'StripeWebhookUrl', {
      value: `${http.url}${webhookPath}`,
      description:
        'Paste into Stripe Dashboard → Developers → Webhooks; events: checkout.session.completed, setup_intent.succeeded, setup_intent.setup_failed',
    });
    // What operators' tools (npm run reconcile / redrive) and the SaaS's rules need.
    new CfnOutput(this, 'SetupQueueUrl', { value: queues.queue.queueUrl });
    new CfnOutput(this, 'SetupRecordsTableName', { value: table.tableName });
    new CfnOutput(this, 'OutcomeEventBusName', { value: outcomeBus.eventBusName });
    new CfnOutput(this, 'StripeSecretKeySecretArn', { value: secrets.secretKey.secretArn });
    new CfnOutput(this, 'StripeWebhookSecretArn', { value: secrets.webhookSecret.secretArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: queues.deadLetterQueue.queueUrl });
  }
}
