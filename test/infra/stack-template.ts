import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addSetupModeService } from '../../lib/service-app';

/** An identity provider, as an operator configures one; tests that need another say so in their context. */
export const TEST_AUTH_CONTEXT = {
  jwtIssuer: 'https://auth.example.com/',
  jwtAudience: 'billing-api',
};

/** Synthesises the service as `cdk synth` would, with bundling skipped so infra tests stay fast. */
export function synthServiceTemplate(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...TEST_AUTH_CONTEXT, ...context } });
  const stack = addSetupModeService(app);
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}
