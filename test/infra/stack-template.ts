import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addSetupModeService } from '../../lib/service-app';

/** Synthesises the service as `cdk synth` would, with bundling skipped so infra tests stay fast. */
export function synthServiceTemplate(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = addSetupModeService(app);
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}
