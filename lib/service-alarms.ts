import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ServiceAlarmsProps {
  queue: IQueue;
  deadLetterQueue: IQueue;
  worker: IFunction;
  checkoutApi: IFunction;
  apiId: string;
  webhookPath: string;
  /** The session API's routes, each alarmed on for 5xx. */
  sessionPaths: { method: string; path: string }[];
  metricsNamespace: string;
  alarmTopicArn?: string;
}

/** Webhook rejections tolerated in 5 minutes before paging: a stray probe is not an incident. */
export const WEBHOOK_REJECTIONS_THRESHOLD = 5;

/**
 * The alarms an on-call engineer needs: anything in the dead-letter queue, worker errors, webhook 5xx
 * (Stripe is retrying), webhook rejections (a wrong signing secret or Stripe mode: Stripe retries, then
 * disables the endpoint), session API errors and 5xx, a refused Stripe secret, a queue falling behind, and
 * permanent failures, which never reach the DLQ. The runbook in docs/operations.md has a line for each.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const anyAtAll = (alarmId: string, description: string, metric: IMetric) =>
      this.add(alarmId, description, metric, 0, ComparisonOperator.GREATER_THAN_THRESHOLD);

    anyAtAll(
      'DeadLetterQueueNotEmpty',
      'Setup events gave up after every retry and wait in the dead-letter queue: run the redrive.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
    );
    anyAtAll(
      'WorkerErrors',
      'The setup worker failed whole invocations (not single records).',
      props.worker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }) as Metric,
    );
    anyAtAll(
      'WebhookServerErrors',
      'The Stripe webhook answered 5xx: Stripe is retrying deliveries.',
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: props.apiId, Stage: '$default', Method: 'POST', Resource: props.webhookPath },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
    );
    const apiGateway5xx = (method: string, resource: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: props.apiId, Stage: '$default', Method: method, Resource: resource },
        period: Duration.minutes(5),
        statistic: 'Sum',
      });
    anyAtAll(
      'SessionApiServerErrors',
      'The session API answered 5xx (Stripe unreachable, a refused key, a function failure): frontends cannot start Checkout.',
      sumOf(
        Object.fromEntries(
          props.sessionPaths.map(({ method, path }, index) => [`r${index}`, apiGateway5xx(method, path)]),
        ),
        'Session API 5xx',
      ),
    );
    anyAtAll(
      'SessionApiErrors',
      'The session API function failed whole invocations (crash, timeout, cold-start configuration error).',
      props.checkoutApi.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }) as Metric,
    );
    const serviceMetric = (metricName: string, service: string) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service },
        period: Duration.minutes(5),
        statistic: 'Sum',
      });
    anyAtAll(
      'StripeSecretsRefused',
      'A function refused its Stripe key or signing secret (wrong mode, live key on an unauthenticated stage, too short): nothing reaches Stripe until the secret is fixed.',
      sumOf(
        {
          api: serviceMetric('SecretsRefused', 'checkout-api'),
          webhook: serviceMetric('SecretsRefused', 'stripe-webhook'),
          worker: serviceMetric('SecretsRefused', 'setup-worker'),
        },
        'Stripe secrets refused',
      ),
    );
    this.add(
      'WebhookRejections',
      'Stripe deliveries were refused for a bad signature or the wrong Stripe mode: check the signing secret and stripeMode before Stripe disables the endpoint.',
      serviceMetric('WebhookRejections', 'stripe-webhook'),
      WEBHOOK_REJECTIONS_THRESHOLD,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    anyAtAll(
      'PermanentFailures',
      'Setups failed for good (customer deleted, payment method detached, ...): see the status endpoint and logs.',
      new Metric({
        namespace: props.metricsNamespace,
        metricName: 'PermanentFailures',
        dimensionsMap: { service: 'setup-worker' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
    );
    this.add(
      'QueueFallingBehind',
      'The oldest setup event has waited over 15 minutes: the worker is failing, throttled or stopped.',
      props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      15 * 60,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );

    if (props.alarmTopicArn) {
      const action = new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }

  private add(
    id: string,
    description: string,
    metric: IMetric,
    threshold: number,
    operator: ComparisonOperator,
  ) {
    this.alarms.push(
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: operator,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/** One alarm over several metrics; a metric with no data counts as 0 rather than hiding the others. */
function sumOf(metrics: Record<string, IMetric>, label: string): MathExpression {
  const ids = Object.keys(metrics);
  return new MathExpression({
    expression: ids.map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics: metrics,
    label,
    period: Duration.minutes(5),
  });
}
