import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceAlarms } from './service-alarms';

export interface ServiceDashboardProps {
  dashboardName: string;
  metricsNamespace: string;
  alarms: ServiceAlarms;
  queue: IQueue;
  deadLetterQueue: IQueue;
  /** Every route of the API (session routes and the webhook). */
  routes: { method: string; path: string }[];
}

const MINUTE = Duration.minutes(1);

/**
 * The one page an on-call opens first: the alarms' states, then what the service did (setups applied and
 * failed), how far behind it is (queue age, dead letters), how Stripe is answering (latency, 429s), what
 * callers see (4xx and 5xx per route), and the recovery events (handled, the service's own echoes dropped,
 * failed attempts, unproven messages).
 */
export class ServiceDashboard extends Construct {
  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const own = (metricName: string, service: string, statistic = 'Sum') =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service },
        period: MINUTE,
        statistic,
      });
    const graph = (title: string, left: IMetric[], width = 8) =>
      new GraphWidget({ title, left, width, height: 6 });
    const { figures } = props.alarms;

    new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms.alarms as IAlarm[], width: 24 })],
        [
          graph('Setups', [
            own('DefaultsApplied', 'setup-worker'),
            own('SetupsPending', 'setup-worker'),
            own('SetupAttemptsFailed', 'setup-worker'),
            own('PermanentFailures', 'setup-worker'),
          ]),
          graph('Queue', [
            props.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' }),
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: MINUTE,
              statistic: 'Maximum',
            }),
            own('RecordsRetried', 'setup-worker'),
          ]),
          graph('Stripe', [
            own('StripeLatency', 'setup-worker', 'p99'),
            own('StripeLatency', 'checkout-api', 'p99'),
            own('StripeRateLimited', 'setup-worker'),
            own('StripeRateLimited', 'checkout-api'),
          ]),
        ],
        [
          graph(
            'API 4xx and 5xx per route',
            props.routes.flatMap(({ method, path }) => [
              figures.sessionRoute(method, path, '4xx').with({ label: `${method} ${path} 4xx` }),
              figures.sessionRoute(method, path, '5xx').with({ label: `${method} ${path} 5xx` }),
            ]),
            16,
          ),
          graph('API 429s', [figures.apiThrottled]),
        ],
        [
          graph(
            'Recovery events',
            [
              own('RecoveryEventsHandled', 'setup-worker'),
              own('EchoesDropped', 'setup-worker'),
              own('RecoveryEventsFailed', 'setup-worker'),
              own('UnprovenMessages', 'setup-worker'),
            ],
            24,
          ),
        ],
      ],
    });
  }
}
