import type { Template } from 'aws-cdk-lib/assertions';
import { physicalNames } from '../../lib/physical-names';
import { cdkJsonContext, PROD_CONTEXT, synthServiceTemplate, synthWithContext } from './stack-template';

/*
 * One stack per stage, named so CloudFormation can create, retry, replace and delete it as it documents.
 */

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const LONG_STACK_NAME = `Billing${'x'.repeat(53)}`;

let dev: ReturnType<typeof synthServiceTemplate>;
let prod: ReturnType<typeof synthServiceTemplate>;
let longNamed: ReturnType<typeof synthServiceTemplate>;
beforeAll(() => {
  dev = synthServiceTemplate();
  prod = synthServiceTemplate(PROD_CONTEXT);
  longNamed = synthServiceTemplate({ ...PROD_CONTEXT, stackName: LONG_STACK_NAME });
});

const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];

describe('finding 3: the dev command can never deploy over prod', () => {
  it('the dev and prod commands synthesise two different stacks, and so does any -c stackName', () => {
    expect(dev.stack.stackName).toBe('StripeSetupModeService-dev');
    expect(prod.stack.stackName).toBe('StripeSetupModeService-prod');
    // CloudFormation updates whatever stack carries the name it is given: the stage is always in the name.
    const named = (stage: string) =>
      synthServiceTemplate({ ...(stage === 'prod' ? PROD_CONTEXT : {}), stage, stackName: 'Billing' }).stack
        .stackName;
    expect([named('dev'), named('prod')]).toEqual(['Billing-dev', 'Billing-prod']);
  });

  it('the stage is required: cdk.json has none and a synth without one is refused', () => {
    expect(cdkJsonContext()).not.toHaveProperty('stage');
    expect(() => synthWithContext({ ...cdkJsonContext(), allowUnauthenticated: 'true' })).toThrow(
      /stage is required/,
    );
  });

  it('prod has termination protection, dev does not', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html
    expect(prod.stack.terminationProtection).toBe(true);
    const artifact = prod.assembly.getStackByName('StripeSetupModeService-prod');
    expect(artifact.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
  });
});

describe('finding 2: a failed first create of prod can be retried', () => {
  const STATEFUL = [
    'AWS::DynamoDB::Table',
    'AWS::SQS::Queue',
    'AWS::Events::EventBus',
    'AWS::SecretsManager::Secret',
    'AWS::Logs::LogGroup',
  ];

  it('every stateful resource on prod is kept on delete and replacement, but not when its own create rolls back', () => {
    // RetainExceptOnCreate: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
    for (const type of STATEFUL) {
      const found = resources(prod.template, type);
      expect({ type, count: found.length > 0 }).toEqual({ type, count: true });
      for (const [id, resource] of found) {
        expect({ id, policies: [resource.DeletionPolicy, resource.UpdateReplacePolicy] }).toEqual({
          id,
          policies: ['RetainExceptOnCreate', 'Retain'],
        });
      }
    }
  });
});

describe('finding 4: each stack has metrics and alarms of its own', () => {
  const namespacesOf = (template: Template) => {
    const functions = resources(template, 'AWS::Lambda::Function').map(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables: Record<string, string> }).Variables.METRICS_NAMESPACE,
    );
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    const inAlarms = [...alarms.matchAll(/"Namespace":"(StripeSetupModeService[^"]*)"/g)].map((m) => m[1]);
    return { functions: [...new Set(functions)], alarms: [...new Set(inAlarms)] };
  };

  it('the namespace carries the stack name, as a literal string, in the functions and the alarms alike', () => {
    expect(namespacesOf(dev.template)).toEqual({
      functions: ['StripeSetupModeService/StripeSetupModeService-dev'],
      alarms: ['StripeSetupModeService/StripeSetupModeService-dev'],
    });
    const second = synthServiceTemplate({ stackName: 'Trial' }).template;
    expect(namespacesOf(second)).toEqual({
      functions: ['StripeSetupModeService/Trial-dev'],
      alarms: ['StripeSetupModeService/Trial-dev'],
    });
  });
});

describe('findings 6 and 7: explicit physical names within AWS limits', () => {
  it('FIFO queues, table, bus and access-log group are named from the stack name, as literal strings', () => {
    const names = physicalNames('StripeSetupModeService-prod');
    const queueNames = resources(prod.template, 'AWS::SQS::Queue').map(([, q]) => q.Properties.QueueName);
    expect(queueNames.sort()).toEqual([names.deadLetterQueue, names.queue].sort());
    prod.template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: names.table });
    prod.template.hasResourceProperties('AWS::Events::EventBus', { Name: names.bus });
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: names.accessLogGroup });
  });

  it('a 60-character stackName still gives FIFO queue names of at most 80 characters', () => {
    // CloudFormation's generated FIFO names break past 80 characters (https://github.com/aws/aws-cdk/issues/11041);
    // the limit: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
    expect(LONG_STACK_NAME).toHaveLength(60);
    for (const [, queue] of resources(longNamed.template, 'AWS::SQS::Queue')) {
      expect(queue.Properties.QueueName).toMatch(/^[\w-]{1,75}\.fifo$/);
      expect(String(queue.Properties.QueueName).length).toBeLessThanOrEqual(80);
    }
  });

  it('a stackName that would break a name is refused, naming stackName and its limit', () => {
    expect(() => synthServiceTemplate({ stackName: `B${'x'.repeat(65)}` })).toThrow(
      /stackName .*at most 65 characters/,
    );
    expect(() => synthServiceTemplate({ stackName: '9lives' })).toThrow(/stackName must start with a letter/);
    expect(() => synthServiceTemplate({ stackName: 'has_underscore' })).toThrow(/stackName/);
  });

  it('the API access log is under /aws/vendedlogs/, outside the account’s log resource-policy limit', () => {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html
    const [[, stage]] = resources(dev.template, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const destination = (stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': string[] } })
      .DestinationArn['Fn::GetAtt'][0] as string;
    const group = dev.template.findResources('AWS::Logs::LogGroup')[destination] as Resource;
    expect(group.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\//);
  });
});

describe('finding 12: a refactor cannot silently replace stateful resources', () => {
  /*
   * CloudFormation replaces a resource whose logical id changes (a new, empty one; the old one retained on
   * prod) and refuses to replace one with a custom name
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html). Changing a
   * line below is a data migration: plan it (docs/deploy.md, "Upgrading prod") before editing the list.
   */
  const PINNED = {
    'AWS::DynamoDB::Table': ['SetupRecordsTableDA6620ED'],
    'AWS::SQS::Queue': ['SetupEventsDeadLetterQueue3617C378', 'SetupEventsQueue255CB68E'],
    'AWS::Events::EventBus': ['OutcomeEvents33F295CB'],
    'AWS::SecretsManager::Secret': [
      'SetupProofSecretD5622182',
      'StripeSecretsSecretKeyA036995E',
      'StripeSecretsWebhookSecretE53BB478',
    ],
  };

  it('the stateful resources keep their logical ids', () => {
    const actual = Object.fromEntries(
      Object.keys(PINNED).map((type) => [
        type,
        resources(prod.template, type)
          .map(([id]) => id)
          .sort(),
      ]),
    );
    expect(actual).toEqual(PINNED);
  });

  it('and the table, queues and bus have explicit names (a replacing change fails instead of starting empty)', () => {
    const nameProperty = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Events::EventBus': 'Name',
    };
    for (const [type, property] of Object.entries(nameProperty)) {
      for (const [id, resource] of resources(prod.template, type)) {
        expect({ id, name: resource.Properties[property] }).toEqual({
          id,
          name: expect.stringMatching(/^StripeSetupModeService-prod-/),
        });
      }
    }
  });
});

describe('finding 12: prod code reaches callers through a canary, never straight to $LATEST', () => {
  it('API Gateway and the event source invoke prod’s live aliases, which CodeDeploy shifts 10 % first', () => {
    // https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
    const aliases = resources(prod.template, 'AWS::Lambda::Alias');
    expect(aliases.map(([, alias]) => alias.Properties.Name)).toEqual(['live', 'live', 'live']);
    const groups = resources(prod.template, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups).toHaveLength(3);
    for (const [, group] of groups) {
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      const alarmConfiguration = group.Properties.AlarmConfiguration as { Enabled: boolean; Alarms: [] };
      expect(alarmConfiguration.Enabled).toBe(true);
      expect(alarmConfiguration.Alarms.length).toBeGreaterThanOrEqual(2);
      expect(group.Properties.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      });
    }
    const aliasIds = aliases.map(([id]) => id);
    for (const [, integration] of resources(prod.template, 'AWS::ApiGatewayV2::Integration')) {
      expect(aliasIds).toContain((integration.Properties.IntegrationUri as { Ref: string }).Ref);
    }
    const [[, mapping]] = resources(prod.template, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(
      aliasIds.filter((id) => JSON.stringify(mapping.Properties.FunctionName).includes(id)),
    ).toHaveLength(1);
    expect(JSON.stringify(mapping.Properties.FunctionName)).toContain('SetupWorkerLive');
    // A dev stage deploys straight away: no alias, no CodeDeploy.
    dev.template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
  });

  it('CodeDeploy’s role may move only these aliases and read only these alarms (no managed policy)', () => {
    const [[, role]] = resources(prod.template, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('codedeploy.amazonaws.com'),
    ) as [[string, Resource]];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
