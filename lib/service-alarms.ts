import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ServiceAlarmsProps {
  queue: IQueue;
  deadLetterQueue: IQueue;
  worker: IFunction;
  apiId: string;
  webhookPath: string;
  metricsNamespace: string;
  alarmTopicArn?: string;
}

/**
 * The alarms an on-call engineer needs: anything in the dead-letter queue, worker errors, webhook 5xx
 * (Stripe is retrying), a queue falling behind, and permanent failures, which never reach the DLQ.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const anyAtAll = (alarmId: string, description: string, metric: Metric) =>
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
    metric: Metric,
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
