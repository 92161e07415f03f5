import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readServiceSettings } from './service-settings';
import { SetupModeServiceStack } from './setup-mode-service-stack';

/**
 * Adds the service's stack for one stage to an app, with cdk-nag's AWS Solutions checks on every synth. A
 * prod stack has termination protection, which the CDK CLI sets on the stack before it runs the change set
 * (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StackProps.html#terminationprotection).
 */
export function addSetupModeService(app: App): SetupModeServiceStack {
  const settings = readServiceSettings(app.node);
  const stack = new SetupModeServiceStack(app, settings.stackName, {
    settings,
    terminationProtection: settings.stage === 'prod',
    description: `Stripe Checkout setup mode (${settings.stage}): saves customers’ payment methods and makes them the invoice default`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
