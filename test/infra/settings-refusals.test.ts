import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';

/*
 * Settings that cannot work are refused at synth, in one line naming the option; what only CloudFormation
 * can know (the region it deploys to) is refused by a CloudFormation rule before anything is created.
 */

const OTHER_REGION_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:billing-oncall';
const OTHER_REGION_BUS = 'arn:aws:events:eu-west-1:210987654321:event-bus/saas-billing';

type Rule = { Assertions: { Assert: unknown; AssertDescription: string }[] };
/** The template's rules, less the CDK's own bootstrap-version check. */
const rulesOf = (context: Record<string, unknown>) => {
  const rules = (synthServiceTemplate(context).template.toJSON().Rules ?? {}) as Record<string, Rule>;
  return Object.fromEntries(Object.entries(rules).filter(([id]) => id !== 'CheckBootstrapVersion'));
};

describe('finding 5 and 11: ARNs the stack’s region must match', () => {
  it('alarmTopicArn: a CloudFormation rule refuses a deploy to another region than the topic’s', () => {
    // CloudWatch alarm actions take only an SNS topic in the alarm's region
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html);
    // Rules: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
    const rules = rulesOf({ ...PROD_CONTEXT, alarmTopicArn: OTHER_REGION_TOPIC });
    expect(Object.values(rules)).toContainEqual({
      Assertions: [
        {
          Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
          AssertDescription: expect.stringMatching(/^alarmTopicArn is in eu-west-1/),
        },
      ],
    });
  });

  it('eventBusName as an ARN: the same rule for the bus’s region (PutEvents writes to its own region’s bus)', () => {
    const rules = rulesOf({ eventBusName: OTHER_REGION_BUS });
    const descriptions = Object.values(rules).flatMap((rule) =>
      rule.Assertions.map((a) => a.AssertDescription),
    );
    expect(descriptions).toEqual([expect.stringMatching(/^eventBusName is in eu-west-1/)]);
  });

  it('no rule when nothing names a region', () => {
    expect(rulesOf({})).toEqual({});
  });
});

describe('finding 11: settings that cannot work are refused', () => {
  it('stripeRequestsPerSecond stays within the worker’s share of Stripe’s documented limit for the mode', () => {
    // https://docs.stripe.com/rate-limits: 100 operations per second in live mode, 25 in test mode; the
    // worker's share is a fifth of it unless workerStripeSharePercent says otherwise (lib/capacity.ts).
    expect(() => synthServiceTemplate({ stripeRequestsPerSecond: '26' })).toThrow(
      /^Context stripeRequestsPerSecond must be from 2 to the worker's share \(workerStripeSharePercent 20 of stripeRateLimit 25 = 5 requests\/s; got 26\)\.$/,
    );
    expect(() => synthServiceTemplate({ ...PROD_CONTEXT, stripeRequestsPerSecond: '21' })).toThrow(
      /stripeRequestsPerSecond must be from 2 to the worker's share \(workerStripeSharePercent 20 of stripeRateLimit 100 = 20/,
    );
    expect(() =>
      synthServiceTemplate({
        ...PROD_CONTEXT,
        workerStripeSharePercent: '60',
        stripeRequestsPerSecond: '60',
      }),
    ).not.toThrow();
    expect(() => synthServiceTemplate({ stripeRateLimit: '26' })).toThrow(
      /^Context stripeRateLimit must be at most 25 in test mode \(got 26\)\.$/,
    );
  });

  it('the capacity settings are checked against each other: one line naming what to raise', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      // A peak the worker's Stripe rate cannot carry: 4 requests a setup (bench figure 5 measures them).
      [
        { ...PROD_CONTEXT, peakSetupsPerSecond: '6' },
        /^Context peakSetupsPerSecond 6 needs 24 Stripe requests\/s for the worker \(4 a setup\); it has 20 \(2 instances × 10\): raise workerStripeSharePercent/,
      ],
      // Shares that promise more than the account has.
      [
        { workerStripeSharePercent: '70', apiStripeSharePercent: '40' },
        /^Context workerStripeSharePercent \(70\) and apiStripeSharePercent \(40\) add up to 110 % of the Stripe account's limit: at most 100\.$/,
      ],
      // An API share smaller than one removal's Stripe calls would refuse every removal at API Gateway.
      [
        { apiStripeSharePercent: '10' },
        /^Context apiStripeSharePercent 10 of stripeRateLimit 25 leaves the session API 2 Stripe calls\/s, fewer than its costliest request makes \(5\)\.$/,
      ],
      // Success pages poll about 5 times a setup: the status route must carry the peak's polls.
      [
        { ...PROD_CONTEXT, peakSetupsPerSecond: '5', statusThrottleRateLimit: '20' },
        /^Context peakSetupsPerSecond 5 needs the status route at 25 polls\/s \(5 a setup\); it allows 20\/s/,
      ],
      // An explicit status throttle may not spend more than the session API's share.
      [
        { statusThrottleRateLimit: '11' },
        /^Context statusThrottleRateLimit must be from 1 to the session API's Stripe share, 10 \(apiStripeSharePercent 40; got 11\)\.$/,
      ],
      [
        { peakSetupsPerSecond: 'lots' },
        /^Context peakSetupsPerSecond must be a number above 0 and at most 1000/,
      ],
      [
        { workerStripeSharePercent: '4' },
        /^Context workerStripeSharePercent leaves the worker under 2 requests\/s/,
      ],
    ];
    for (const [context, refusal] of refusals) {
      expect(() => synthServiceTemplate(context)).toThrow(refusal);
    }
  });

  it('prod needs allowedOrigins: without CORS no browser frontend can call the session API', () => {
    const { allowedOrigins: _none, ...withoutOrigins } = PROD_CONTEXT;
    expect(() => synthServiceTemplate(withoutOrigins)).toThrow(/allowedOrigins is required for stage prod/);
  });

  it('a refusal from `cdk synth` is one line naming the option, with no stack trace', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
    try {
      // What the CDK CLI does: run cdk.json's app with the context in CDK_CONTEXT_JSON.
      const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bin', 'app.ts')], {
        cwd: path.join(__dirname, '..', '..'),
        encoding: 'utf8',
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({
            stage: 'dev',
            allowUnauthenticated: 'true',
            stripeRequestsPerSecond: '10000',
          }),
        },
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        "Context stripeRequestsPerSecond must be from 2 to the worker's share (workerStripeSharePercent 20 of stripeRateLimit 25 = 5 requests/s; got 10000).",
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('finding 8: an imported secret whose name ends in a hyphen and six characters is found', () => {
  it('the functions look an imported secret up by its name, never by a partial ARN', () => {
    // A partial ARN ending in -apikey is read as a complete ARN with the random suffix "apikey":
    // ResourceNotFound (SecretId in https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
    const { template } = synthServiceTemplate({
      stripeSecretKeySecretName: 'stripe-apikey',
      stripeWebhookSecretName: 'stripe-secret',
    });
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment.Variables as Record<string, unknown>,
    );
    const ids = variables.flatMap((v) =>
      [v.STRIPE_SECRET_KEY_ARN, v.STRIPE_WEBHOOK_SECRET_ARN].filter((id) => id !== undefined),
    );
    expect(ids.sort()).toEqual(['stripe-apikey', 'stripe-apikey', 'stripe-secret']);
  });
});

describe('finding 9: a frontend on another origin can read Retry-After and Location', () => {
  it('CORS exposes the headers clients are told to honour', () => {
    // Only CORS-safelisted response headers reach a cross-origin script unless exposed
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
    synthServiceTemplate(PROD_CONTEXT).template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { ExposeHeaders: ['retry-after', 'location'] },
    });
  });
});
