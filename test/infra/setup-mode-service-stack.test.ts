import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  DEFAULT_RETRY_POLICY,
  HAND_BACK_ALLOWANCE,
  receivesWithinHorizon,
} from '../../functions/setup-worker/retry-policy';
import { CHECKOUT_API_ROUTES } from '../../functions/shared/routes';
import { workerConcurrency } from '../../lib/capacity';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';

let template: Template;
let assemblyDir: string;
beforeAll(() => {
  const synthesised = synthServiceTemplate();
  template = synthesised.template;
  assemblyDir = synthesised.assembly.directory;
});

type Resource = { Type: string; Properties: Record<string, unknown> };

function functionLogicalId(functionFolder: string): string {
  const functions = template.findResources('AWS::Lambda::Function');
  const found = Object.entries(functions).find(([, resource]) =>
    JSON.stringify(resource.Properties.Environment ?? {}).includes(functionFolder),
  );
  if (!found) throw new Error(`no function for ${functionFolder}`);
  return found[0];
}

function statementsOfRoleOf(functionId: string): { Action: string | string[]; Resource: unknown }[] {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId as string))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: [] }).Statement);
}

/** The distinct actions a function's role allows (one secret grant per secret repeats the same two). */
const actionsOf = (functionId: string) =>
  [...new Set(statementsOfRoleOf(functionId).flatMap((statement) => [statement.Action].flat()))].sort();

describe('the stack', () => {
  it('has three functions on Node 24, arm64, with tracing and their own log groups', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 4);
  });

  it('never puts a Stripe secret in a function’s environment, only the secret’s ARN', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).not.toContain('STRIPE_SECRET_KEY');
      expect(Object.keys(variables)).not.toContain('STRIPE_WEBHOOK_SECRET');
      expect(Object.keys(variables)).not.toContain('SETUP_PROOF_SECRET');
    }
    // The two Stripe secrets and the generated setup proof key.
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
  });

  it('generates the setup proof key and lets only the session API and the worker read it', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('HMAC key'),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const withProofKey = functions
      .filter(
        (fn) => 'SETUP_PROOF_SECRET_ARN' in (fn.Properties.Environment as { Variables: object }).Variables,
      )
      .map((fn) => String(fn.Properties.Description));
    expect(withProofKey.sort()).toEqual([
      'Creates setup-mode Checkout Sessions and reports their status',
      'Makes the new payment method the default for the customer and subscription',
    ]);
  });

  it('Checkout links expire after 30 minutes unless checkoutSessionMinutes says otherwise', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Checkout Sessions'),
      Environment: { Variables: Match.objectLike({ CHECKOUT_SESSION_MINUTES: '30' }) },
    });
    expect(() => synthServiceTemplate({ checkoutSessionMinutes: '10' })).toThrow(/checkoutSessionMinutes/);
  });

  it('a FIFO work queue with a 14-day dead-letter queue, SSE, a redrive count the backoff reaches its horizon within, visibility 6 × the worker timeout', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 4 * 86_400,
      RedrivePolicy: {
        deadLetterTargetArn: Match.anyValue(),
        maxReceiveCount: receivesWithinHorizon(DEFAULT_RETRY_POLICY) + HAND_BACK_ALLOWANCE,
      },
    });
    const worker =
      template.findResources('AWS::Lambda::Function')[functionLogicalId('RECORD_RETENTION_DAYS')];
    expect(worker).toBeDefined();
  });

  it('refuses plain-HTTP access to both queues', () => {
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('the worker consumes with partial batch responses and a bounded maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('keeps the worker within its share of Stripe’s rate limit however concurrency is chosen', () => {
    for (const share of [2, 20, 25, 100, 1000]) {
      const { maxConcurrency, perInstance } = workerConcurrency(share);
      expect(maxConcurrency).toBeGreaterThanOrEqual(2);
      expect(maxConcurrency * perInstance).toBeLessThanOrEqual(share);
    }
    expect(workerConcurrency(20)).toEqual({ maxConcurrency: 2, perInstance: 10 });
    // A test-mode stage with nothing set: a fifth of Stripe's 25 requests/s, 5, over 2 instances at 2 each.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STRIPE_MAX_REQUESTS_PER_SECOND: '2' }) },
    });
  });

  it('an on-demand table keyed by pk with TTL and point-in-time recovery, deleted with a dev stack', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('an HTTP API with the session routes, the webhook route, throttling and JSON access logs', () => {
    for (const routeKey of [
      'POST /checkout-sessions',
      'GET /checkout-sessions/{id}',
      'POST /create-checkout-session',
      'GET /payment-methods',
      'POST /payment-methods/{id}/default',
      'DELETE /payment-methods/{id}',
      'GET /payment-methods/changes/{id}',
      'POST /webhooks/stripe',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Route', CHECKOUT_API_ROUTES.length + 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        DetailedMetricsEnabled: true,
      },
      // Each status request may be a Stripe read, so the route is held to the session API's Stripe share
      // (two fifths of test mode's 25 requests/s); every route's own throttle: test/infra/route-throttles.test.ts.
      RouteSettings: Match.objectLike({
        'GET /checkout-sessions/{id}': {
          DetailedMetricsEnabled: true,
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 10,
        },
      }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('alarms on the dead-letter queue, worker errors, webhook 5xx, queue age, permanent failures and throttling', () => {
    // And, tested with the deploy-safety findings: session API errors and 5xx, webhook rejections, refused secrets;
    // with the alarms test: unproven queue messages and recovery events failing.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 15);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const metricsOf = (alarmId: string) => {
      const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([id]) =>
        id.startsWith(`Alarms${alarmId}`),
      );
      if (!found) throw new Error(`no alarm ${alarmId}`);
      return JSON.stringify(found[1].Properties.Metrics ?? found[1].Properties);
    };
    expect(metricsOf('WorkerErrors')).toMatch(/"MetricName":"Errors".*"Namespace":"AWS\/Lambda"/);
    expect(metricsOf('WebhookServerErrors')).toContain('{"Name":"Resource","Value":"/webhooks/stripe"}');
    expect(metricsOf('LambdaThrottles')).toMatch(/"MetricName":"Throttles"/);
    expect(metricsOf('ApiThrottled')).toContain('"MetricName":"ApiThrottled"');
    expect(metricsOf('RecordRetries')).toContain('"MetricName":"RecordsRetried"');
    expect(metricsOf('StripeRateLimited')).toContain('"MetricName":"StripeRateLimited"');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage' });
    // Powertools Metrics adds the `service` dimension to every metric the worker emits; the alarm must name it.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PermanentFailures',
      Namespace: 'StripeSetupModeService/StripeSetupModeService-dev',
      Dimensions: [{ Name: 'service', Value: 'setup-worker' }],
    });
  });

  it('an EventBridge bus for outcome events, named to the worker; past-due payment off by default', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ EVENT_BUS_NAME: Match.anyValue(), PAY_OPEN_INVOICE: 'false' }),
      },
    });
    const { template: existingBus } = synthServiceTemplate({
      eventBusName: 'saas-bus',
      payOpenInvoice: 'true',
    });
    existingBus.resourceCountIs('AWS::Events::EventBus', 0);
    existingBus.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'saas-bus', PAY_OPEN_INVOICE: 'true' }) },
    });
  });

  it('tells the worker the two saved-method options: follow and no detaching by default, or as context says', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SUBSCRIPTION_DEFAULTS: 'follow', DETACH_REPLACED: 'false' }),
      },
    });
    const { template: chosen } = synthServiceTemplate({
      subscriptionDefaults: 'named-only',
      detachReplaced: 'true',
    });
    chosen.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SUBSCRIPTION_DEFAULTS: 'named-only', DETACH_REPLACED: 'true' }),
      },
    });
    expect(() => synthServiceTemplate({ subscriptionDefaults: 'always' })).toThrow(/subscriptionDefaults/);
  });

  it('allows DELETE from the CORS origins, for removing a saved method', () => {
    const { template: withOrigins } = synthServiceTemplate({ allowedOrigins: ['https://app.example.com'] });
    withOrigins.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowMethods: Match.arrayWith(['DELETE']) },
    });
  });

  it('outputs what operators’ tools need: queue, DLQ and table names', () => {
    for (const output of [
      'SetupQueueUrl',
      'DeadLetterQueueUrl',
      'SetupRecordsTableName',
      'OutcomeEventBusName',
    ]) {
      template.hasOutput(output, {});
    }
  });

  it('outputs the API URL and the full webhook URL for Stripe’s dashboard', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('StripeWebhookUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/webhooks/stripe$')])] },
    });
  });
});

describe('least privilege', () => {
  const webhookId = () => functionLogicalId('STRIPE_WEBHOOK_SECRET_ARN');
  const workerId = () => functionLogicalId('STRIPE_MAX_REQUESTS_PER_SECOND');
  const apiId = () => functionLogicalId('CHECKOUT_SUCCESS_URL');

  // Every function also writes its own log group (logs:*LogStream/PutLogEvents, scoped: deploy-safety test).
  const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  // CDK's secret grant adds DescribeSecret to GetSecretValue; it reveals no secret value.
  const readSecret = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];

  it('the webhook may only send to its queue, read its secret and record completed sessions (plus X-Ray)', () => {
    expect(actionsOf(webhookId())).toEqual(
      [
        'dynamodb:UpdateItem',
        ...logs,
        ...readSecret,
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it("the webhook's table writes are limited to the session status items (IAM dynamodb:LeadingKeys)", () => {
    const writes = statementsOfRoleOf(webhookId()).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['session_view#*'] } },
    });
  });

  it('the worker may consume its queue, read and write its table, read its secret, publish outcomes', () => {
    expect(actionsOf(workerId())).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        ...logs,
        ...readSecret,
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        // Dead-lettering past the retry horizon.
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('the session API may read and write the table, read its secret and send to the queue', () => {
    expect(actionsOf(apiId())).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        ...logs,
        ...readSecret,
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('the session API reads and writes only its own items: each table statement limited by leading key', () => {
    // AWS's fine-grained access control: `dynamodb:LeadingKeys` limits GetItem/UpdateItem to items whose
    // partition key matches (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
    const tableStatements = statementsOfRoleOf(apiId()).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
    ) as { Action: string | string[]; Condition?: Record<string, Record<string, string[]>> }[];
    const patternsFor = (action: string) =>
      tableStatements
        .filter((statement) => [statement.Action].flat().includes(action))
        .map((statement) => statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);
    const writes = patternsFor('dynamodb:UpdateItem');
    const reads = patternsFor('dynamodb:GetItem');
    // One statement each, and none without a condition (an unconditioned grant would allow every key).
    expect(writes).toHaveLength(1);
    expect(reads).toHaveLength(1);
    expect(writes[0]).toEqual(
      expect.arrayContaining(['setup_intent#*', 'default_change#*', 'stripe-calls#*']),
    );
    // The worker's owner records: readable (when a default last changed), never writable.
    expect(writes[0]).not.toContain('customer_default#*');
    expect(writes[0]?.some((pattern) => pattern.startsWith('subscription_default'))).toBe(false);
    expect(reads[0]).toEqual(expect.arrayContaining([...(writes[0] ?? []), 'customer_default#*']));
    expect(reads[0]?.some((pattern) => pattern === '*' || pattern.startsWith('subscription_default'))).toBe(
      false,
    );
    expect(tableStatements.every((statement) => statement.Condition !== undefined)).toBe(true);
  });

  it('no statement has a wildcard action, and only X-Ray has a wildcard resource', () => {
    for (const id of [webhookId(), workerId(), apiId()]) {
      for (const statement of statementsOfRoleOf(id)) {
        const actions = [statement.Action].flat();
        expect(actions.every((action) => !action.includes('*'))).toBe(true);
        if (statement.Resource === '*')
          expect(actions.every((action) => action.startsWith('xray:'))).toBe(true);
      }
    }
  });
});

describe('stages and cdk-nag', () => {
  it('a prod stage retains the table with deletion protection and retains the secrets', () => {
    const { template: prod } = synthServiceTemplate(PROD_CONTEXT);
    prod.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
    prod.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('imports existing secrets by name instead of creating placeholders', () => {
    const { template: imported } = synthServiceTemplate({
      stripeSecretKeySecretName: 'prod/stripe/api-key',
      stripeWebhookSecretName: 'prod/stripe/webhook',
    });
    // Only the setup proof key, which no operator needs to know, is still generated.
    imported.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('AwsSolutions checks pass with no unacknowledged finding, and every acknowledgement has a reason', () => {
    const report = JSON.parse(readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find(
      (plugin: { pluginName: string }) => plugin.pluginName === 'AwsSolutions',
    );
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    for (const suppressed of nag.suppressedViolations) expect(suppressed.reason.length).toBeGreaterThan(40);
  });

  it('refuses settings that make no sense, naming them', () => {
    expect(() => synthServiceTemplate({ maxReceiveCount: 0 })).toThrow(/maxReceiveCount/);
    // Five receives of a 360 s visibility timeout would dead-letter every setup of a half-hour Stripe outage.
    expect(() => synthServiceTemplate({ maxReceiveCount: '5' })).toThrow(/before the 72 h horizon/);
    expect(() => synthServiceTemplate({ deadLetterAfterHours: '96' })).toThrow(/retention/);
    expect(() => synthServiceTemplate({ stage: 'staging' })).toThrow(/stage/);
    expect(() => synthServiceTemplate({ allowedOrigins: ['https://app.example.com/path'] })).toThrow(
      /allowedOrigins/,
    );
  });
});
