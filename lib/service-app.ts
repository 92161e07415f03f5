import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readServiceSettings } from './service-settings';
import { SetupModeServiceStack } from './setup-mode-service-stack';

/** Adds the service's stack to an app, with cdk-nag's AWS Solutions checks on every synth. */
export function addSetupModeService(app: App): SetupModeServiceStack {
  const stack = new SetupModeServiceStack(
    app,
    app.node.tryGetContext('stackName') ?? 'StripeSetupModeService',
    {
      settings: readServiceSettings(app.node),
      description:
        'Stripe Checkout setup mode: saves customers’ payment methods and makes them the invoice default',
    },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
