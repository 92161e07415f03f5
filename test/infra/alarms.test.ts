import type { Template } from 'aws-cdk-lib/assertions';
import {
  RATE_BREACHING,
  RATE_THRESHOLD_PERCENT,
  RATE_WINDOW,
  RECOVERY_FAILURES_PER_MINUTE,
} from '../../lib/service-alarms';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';

/*
 * Alarms that mean something, as CloudWatch evaluates them
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation):
 * an alarm on one period of "5xx > 0" fires on a single deliberate 503; M of N periods over a rate does not.
 */

type Alarm = {
  AlarmDescription: string;
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  MetricName?: string;
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
};

let template: Template;
beforeAll(() => {
  template = synthServiceTemplate(PROD_CONTEXT).template;
});

const alarm = (id: string): Alarm => {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([logicalId]) =>
    logicalId.startsWith(`Alarms${id}`),
  );
  if (!found) throw new Error(`no alarm ${id}`);
  return found[1].Properties as Alarm;
};

describe('finding 10: alarms that page for incidents, not for single answers', () => {
  it.each([
    'SessionApiServerErrors',
    'WebhookServerErrors',
    'SessionApiErrors',
    'WorkerErrors',
    'ApiThrottled',
  ])('%s is a rate over several periods, not a count over one', (id) => {
    const found = alarm(id);
    expect(found.EvaluationPeriods).toBe(RATE_WINDOW);
    expect(found.DatapointsToAlarm).toBe(RATE_BREACHING);
    expect(found.Threshold).toBe(RATE_THRESHOLD_PERCENT);
    const expression = found.Metrics?.find((metric) => metric.Expression?.includes('100 *'));
    expect(expression?.Expression).toMatch(/IF\(total > 0, 100 \* FILL\(bad, 0\) \/ total, 0\)/);
  });

  it('one 503 in a quiet minute does not page: M of N periods breaching are needed', () => {
    // CloudWatch alarms only when DatapointsToAlarm of the last EvaluationPeriods periods breach.
    const found = alarm('SessionApiServerErrors');
    expect(found.DatapointsToAlarm).toBeGreaterThan(1);
  });

  it.each([
    ['ApiThrottled', 'ApiThrottled'],
    ['LambdaThrottles', 'Throttles'],
    ['RecordRetries', 'RecordsRetried'],
    ['StripeRateLimited', 'StripeRateLimited'],
  ])('%s alarms on %s', (id, metricName) => {
    expect(JSON.stringify(alarm(id))).toContain(`"MetricName":"${metricName}"`);
    expect(alarm(id).DatapointsToAlarm).toBe(RATE_BREACHING);
  });

  it('API Gateway’s 429s are counted from the access log, in the stack’s own namespace', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        {
          MetricName: 'ApiThrottled',
          MetricNamespace: 'StripeSetupModeService/StripeSetupModeService-prod',
          MetricValue: '1',
          DefaultValue: 0,
        },
      ],
    });
  });

  it('every alarm tells the on-call when it clears, too (OKActions)', () => {
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (resource) => resource.Properties as Alarm,
    );
    expect(all.length).toBeGreaterThanOrEqual(13);
    for (const each of all) expect(each.OKActions).toEqual([PROD_CONTEXT.alarmTopicArn]);
  });

  // CloudWatch alarm evaluation as above; the worker's Embedded Metric Format counts
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
  // in the stack's own namespace, dimension service=setup-worker.
  it('an unproven queue message pages at once; recovery events failing pages when sustained', () => {
    const unproven = alarm('UnprovenMessages');
    expect(unproven).toMatchObject({ MetricName: 'UnprovenMessages', Threshold: 0, EvaluationPeriods: 1 });
    const failing = alarm('RecoveryEventsFailing');
    expect(failing).toMatchObject({
      MetricName: 'RecoveryEventsFailed',
      Threshold: RECOVERY_FAILURES_PER_MINUTE,
      EvaluationPeriods: RATE_WINDOW,
      DatapointsToAlarm: RATE_BREACHING,
    });
    for (const each of [unproven, failing]) expect(each.AlarmActions).toEqual([PROD_CONTEXT.alarmTopicArn]);
  });

  it('one dashboard with setups, queue age, dead letters, Stripe latency and 429s, and API 4xx/5xx per route', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties);
    expect(dashboards[0]?.Properties.DashboardName).toBe('StripeSetupModeService-prod-oncall');
    for (const figure of [
      'DefaultsApplied',
      'PermanentFailures',
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'StripeLatency',
      'StripeRateLimited',
      '4xx',
      '5xx',
      '/checkout-sessions/{id}',
      '/webhooks/stripe',
      'RecoveryEventsHandled',
      'EchoesDropped',
      'RecoveryEventsFailed',
      'UnprovenMessages',
    ]) {
      expect(body).toContain(figure);
    }
  });
});
