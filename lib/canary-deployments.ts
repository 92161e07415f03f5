import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type IFunction, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * Prod's functions are invoked through a `live` alias that CodeDeploy moves to each new version as a canary:
 * 10 % of invocations for 5 minutes, then all, rolled back if one of the function's alarms fires
 * (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html#deployment-configuration-lambda).
 * Nothing calls `$LATEST`, so new code never reaches every request at once.
 */
export class CanaryDeployments extends Construct {
  private readonly role: Role;
  private readonly aliases: { id: string; alias: Alias; fn: LambdaFunction }[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A role of its own with only what a Lambda deployment calls, instead of the managed
    // AWSCodeDeployRoleForLambdaLimited; the statements are added as aliases and alarms are known.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'Shifts the live aliases of the service functions to a new version',
    });
  }

  /** The alias callers invoke; the function's own grants and log group are unchanged. */
  liveAlias(id: string, fn: LambdaFunction): IFunction {
    const alias = new Alias(this, `${id}Live`, { aliasName: 'live', version: fn.currentVersion });
    this.aliases.push({ id, alias, fn });
    return alias;
  }

  /** One deployment group per alias; `alarms[id]` roll it back. */
  guard(alarms: Record<string, IAlarm[]>): void {
    const allAlarms = Object.values(alarms).flat();
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
        // The alias ARN spelled out, not referenced: the alias waits for its deployment group (its
        // UpdatePolicy), which waits for this policy.
        resources: this.aliases.flatMap(({ alias, fn }) => [
          fn.functionArn,
          `${fn.functionArn}:${alias.aliasName}`,
        ]),
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: allAlarms.map((alarm) => alarm.alarmArn),
      }),
    );
    for (const { id, alias } of this.aliases) {
      const group = new LambdaDeploymentGroup(this, `${id}Deployment`, {
        alias,
        deploymentConfig: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        alarms: alarms[id] ?? [],
        // The policy above; CDK would otherwise attach the managed one to a role it may change.
        role: this.role.withoutPolicyUpdates(),
      });
      // The role's policy exists before CodeDeploy first uses it.
      group.node.addDependency(this.role);
    }
  }
}
