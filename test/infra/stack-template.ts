import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addSetupModeService } from '../../lib/service-app';

/** An identity provider, as an operator configures one; tests that need another say so in their context. */
export const TEST_AUTH_CONTEXT = {
  jwtIssuer: 'https://auth.example.com/',
  jwtAudience: 'billing-api',
};

/** What a prod stage must be told (the stack refuses to synthesise without each). */
export const PROD_CONTEXT = {
  stage: 'prod',
  stripeMode: 'live',
  checkoutSuccessUrl: 'https://app.example.com/billing/updated',
  checkoutCancelUrl: 'https://app.example.com/billing',
  alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:billing-oncall',
  allowedOrigins: 'https://app.example.com',
};

/** The context `cdk synth` reads from cdk.json, before any `-c` on the command line. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  return cdkJson.context;
}

/** Synthesises the service as `cdk synth` would (a dev stage unless told), with bundling skipped so infra tests stay fast. */
export function synthServiceTemplate(context: Record<string, unknown> = {}) {
  return synthWithContext({ stage: 'dev', ...TEST_AUTH_CONTEXT, ...context });
}

/** Exactly this context (no identity provider added): cdk.json's, say, plus what a command line adds. */
export function synthWithContext(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = addSetupModeService(app);
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}
