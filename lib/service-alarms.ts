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
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ServiceAlarmsProps {
  queue: IQueue;
  deadLetterQueue: IQueue;
  worker: IFunction;
  checkoutApi: IFunction;
  stripeWebhook: IFunction;
  apiId: string;
  /** The API's access log, where API Gateway's own 429s (its throttle) are counted from. */
  accessLogs: ILogGroup;
  webhookPath: string;
  /** The session API's routes, each alarmed on for 5xx. */
  sessionPaths: { method: string; path: string }[];
  /** The stack's own namespace (see metricsNamespace): no other stack's metric reaches these alarms. */
  metricsNamespace: string;
  alarmTopicArn?: string;
}

/**
 * Failed recovery-event attempts a minute tolerated (in RATE_BREACHING of RATE_WINDOW minutes): Stripe's
 * passing 429s and 5xx fail an attempt that the retry then finishes; a steady stream is an incident.
 */
export const RECOVERY_FAILURES_PER_MINUTE = 5;

/** Webhook rejections tolerated in 5 minutes before paging: a stray probe is not an incident. */
export const WEBHOOK_REJECTIONS_THRESHOLD = 5;

/**
 * A rate alarm fires when the share of bad answers stays above this percentage in RATE_BREACHING of the last
 * RATE_WINDOW minutes: one deliberate 503 (Stripe down) or 429 is an answer the client is told to retry, not
 * an incident; a sustained share is.
 */
export const RATE_THRESHOLD_PERCENT = 5;
export const RATE_WINDOW = 5;
export const RATE_BREACHING = 3;

const MINUTE = Duration.minutes(1);

/**
 * The alarms an on-call engineer needs, each with a runbook line in docs/operations.md: anything in the
 * dead-letter queue, a refused Stripe secret and permanent failures (any at all); worker, session API and
 * webhook failure rates; webhook rejections; a queue falling behind; throttling anywhere on the path (API
 * Gateway's 429s, Lambda throttles, records the worker hands back for retry, Stripe's 429s). Every alarm
 * notifies the topic when it fires and when it clears (OKActions).
 */
export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** Metrics the dashboard shows beside the alarms. */
  readonly figures: {
    apiThrottled: Metric;
    sessionRoute: (method: string, path: string, metricName: '4xx' | '5xx' | 'Count') => Metric;
  };

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const route = (method: string, resource: string, metricName: '4xx' | '5xx' | 'Count') =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.apiId, Stage: '$default', Method: method, Resource: resource },
        period: MINUTE,
        statistic: 'Sum',
      });
    const own = (metricName: string, service: string, period = MINUTE) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service },
        period,
        statistic: 'Sum',
      });
    // API Gateway counts its own throttling only as 4xx; the access log tells a 429 apart
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html).
    const apiThrottled = new MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: props.accessLogs,
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: props.metricsNamespace,
      metricName: 'ApiThrottled',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ period: MINUTE, statistic: 'Sum' });
    this.figures = { apiThrottled, sessionRoute: route };

    this.anyAtAll(
      'DeadLetterQueueNotEmpty',
      'Setup events gave up after every retry and wait in the dead-letter queue: run the redrive.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: MINUTE,
        statistic: 'Maximum',
      }),
    );
    this.anyAtAll(
      'StripeSecretsRefused',
      'A function refused its Stripe key or signing secret (wrong mode, live key on an unauthenticated stage, too short): nothing reaches Stripe until the secret is fixed.',
      sumOf(
        {
          api: own('SecretsRefused', 'checkout-api'),
          webhook: own('SecretsRefused', 'stripe-webhook'),
          worker: own('SecretsRefused', 'setup-worker'),
        },
        'Stripe secrets refused',
      ),
    );
    this.anyAtAll(
      'PermanentFailures',
      'Setups failed for good (customer deleted, payment method detached, ...): see the status endpoint and logs.',
      own('PermanentFailures', 'setup-worker'),
    );
    this.anyAtAll(
      'UnprovenMessages',
      'A queue message was not proven (a recovery event Stripe does not confirm, a change without its change record): something other than this service writes to the work queue; find the sender before anything else.',
      own('UnprovenMessages', 'setup-worker'),
    );
    this.sustained(
      'RecoveryEventsFailing',
      'Recovery events (failed renewals, expiring cards, changes made elsewhere) keep failing and being retried: customers are not being asked to update their card; see the worker log for "recovery event will be retried".',
      own('RecoveryEventsFailed', 'setup-worker'),
      RECOVERY_FAILURES_PER_MINUTE,
    );
    this.sustainedRate(
      'WorkerErrors',
      'The setup worker failed whole invocations (not single records) in a sustained share of its runs.',
      props.worker.metricErrors({ period: MINUTE, statistic: 'Sum' }),
      props.worker.metricInvocations({ period: MINUTE, statistic: 'Sum' }),
    );
    this.sustainedRate(
      'SessionApiErrors',
      'The session API function failed whole invocations (crash, timeout, cold-start configuration error).',
      props.checkoutApi.metricErrors({ period: MINUTE, statistic: 'Sum' }),
      props.checkoutApi.metricInvocations({ period: MINUTE, statistic: 'Sum' }),
    );
    this.sustainedRate(
      'WebhookServerErrors',
      'The Stripe webhook answered 5xx to a sustained share of deliveries: Stripe is retrying them.',
      route('POST', props.webhookPath, '5xx'),
      route('POST', props.webhookPath, 'Count'),
    );
    const sessionRoutes = (metricName: '5xx' | 'Count') =>
      sumOf(
        Object.fromEntries(
          props.sessionPaths.map(({ method, path }, index) => [
            `${metricName === '5xx' ? 'e' : 'c'}${index}`,
            route(method, path, metricName),
          ]),
        ),
        `Session API ${metricName}`,
      );
    this.sustainedRate(
      'SessionApiServerErrors',
      'The session API answered 5xx (Stripe unreachable, a refused key, a function failure) to a sustained share of requests: frontends cannot start Checkout.',
      sessionRoutes('5xx'),
      sessionRoutes('Count'),
    );
    this.sustainedRate(
      'ApiThrottled',
      'API Gateway or the per-customer limit answered 429 to a sustained share of requests: raise throttleRateLimit / throttleBurstLimit if the traffic is legitimate.',
      apiThrottled,
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: 'Count',
        dimensionsMap: { ApiId: props.apiId, Stage: '$default' },
        period: MINUTE,
        statistic: 'Sum',
      }),
    );
    this.sustained(
      'LambdaThrottles',
      'Lambda throttled a function (account or function concurrency exhausted): requests fail or setups wait.',
      sumOf(
        {
          api: props.checkoutApi.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
          webhook: props.stripeWebhook.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
          worker: props.worker.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
        },
        'Lambda throttles',
      ),
      0,
    );
    this.sustained(
      'RecordRetries',
      'The worker keeps handing records back for retry (batchItemFailures): Stripe or DynamoDB is failing, or one customer’s setups are stuck.',
      own('RecordsRetried', 'setup-worker'),
      10,
    );
    this.sustained(
      'StripeRateLimited',
      'Stripe answered 429 (rate limited) again and again: lower stripeRequestsPerSecond or ask Stripe for a higher limit.',
      sumOf(
        {
          api: own('StripeRateLimited', 'checkout-api'),
          worker: own('StripeRateLimited', 'setup-worker'),
        },
        'Stripe 429s',
      ),
      0,
    );
    this.add('WebhookRejections', {
      alarmDescription:
        'Stripe deliveries were refused for a bad signature or the wrong Stripe mode: check the signing secret and stripeMode before Stripe disables the endpoint.',
      metric: own('WebhookRejections', 'stripe-webhook', Duration.minutes(5)),
      threshold: WEBHOOK_REJECTIONS_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.add('QueueFallingBehind', {
      alarmDescription:
        'The oldest setup event has waited over 15 minutes: the worker is failing, throttled or stopped.',
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' }),
      threshold: 15 * 60,
      evaluationPeriods: 1,
    });

    if (props.alarmTopicArn) {
      const action = new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        // The on-call hears that it is over, too.
        alarm.addOkAction(action);
      }
    }
  }

  /** The alarms that say a new version of this function is worse: a canary deployment rolls back on them. */
  forFunction(service: 'checkout-api' | 'stripe-webhook' | 'setup-worker'): Alarm[] {
    const ids = {
      'checkout-api': ['SessionApiErrors', 'SessionApiServerErrors', 'StripeSecretsRefused'],
      'stripe-webhook': ['WebhookServerErrors', 'WebhookRejections', 'StripeSecretsRefused'],
      'setup-worker': [
        'WorkerErrors',
        'RecordRetries',
        'PermanentFailures',
        'StripeSecretsRefused',
        'RecoveryEventsFailing',
      ],
    }[service];
    return this.alarms.filter((alarm) => ids.includes(alarm.node.id));
  }

  /** Things that must never happen: one is an incident. */
  private anyAtAll(id: string, alarmDescription: string, metric: IMetric) {
    this.add(id, { alarmDescription, metric, threshold: 0, evaluationPeriods: 1 });
  }

  /** More than `threshold` a minute in RATE_BREACHING of the last RATE_WINDOW minutes. */
  private sustained(id: string, alarmDescription: string, metric: IMetric, threshold: number) {
    this.add(id, {
      alarmDescription,
      metric,
      threshold,
      evaluationPeriods: RATE_WINDOW,
      datapointsToAlarm: RATE_BREACHING,
    });
  }

  /** `bad` as a percentage of `all`, above RATE_THRESHOLD_PERCENT in RATE_BREACHING of RATE_WINDOW minutes. */
  private sustainedRate(id: string, alarmDescription: string, bad: IMetric, all: IMetric) {
    const rate = new MathExpression({
      expression: 'IF(total > 0, 100 * FILL(bad, 0) / total, 0)',
      usingMetrics: { bad, total: all },
      label: `${id} (% of requests)`,
      period: MINUTE,
    });
    this.sustained(id, alarmDescription, rate, RATE_THRESHOLD_PERCENT);
  }

  private add(
    id: string,
    options: {
      alarmDescription: string;
      metric: IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
    },
  ) {
    this.alarms.push(
      new Alarm(this, id, {
        ...options,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/** One alarm over several metrics; a metric with no data counts as 0 rather than hiding the others. */
const MAX_METRICS_PER_EXPRESSION = 10;

function sumOf(metrics: Record<string, IMetric>, label: string): MathExpression {
  const entries = Object.entries(metrics);
  // A math expression in an alarm may use at most 10 metrics (CDK's TooManyMetricsInMathExpression): more are
  // summed in parts of 10, and the parts summed.
  if (entries.length > MAX_METRICS_PER_EXPRESSION) {
    const parts: Record<string, IMetric> = {};
    for (let start = 0; start < entries.length; start += MAX_METRICS_PER_EXPRESSION) {
      const part = entries.slice(start, start + MAX_METRICS_PER_EXPRESSION);
      // Ids are unique across the whole alarm: named after the first and last metric they sum.
      parts[`${part[0]?.[0]}to${part.at(-1)?.[0]}`] = sumOf(Object.fromEntries(part), label);
    }
    return sumOf(parts, label);
  }
  const ids = Object.keys(metrics);
  return new MathExpression({
    expression: ids.map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics: metrics,
    label,
    period: MINUTE,
  });
}
