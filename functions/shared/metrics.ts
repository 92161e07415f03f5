/**
 * CloudWatch metrics as Embedded Metric Format fields on a log line
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * no API call and no extra latency; CloudWatch extracts the metric from the function's logs.
 */
export type ServiceMetric =
  | 'PermanentFailures'
  | 'SetupAttemptsFailed'
  | 'DefaultsApplied'
  | 'SetupsSuperseded'
  | 'SetupsPending';

export function metricFields(
  namespace: string,
  service: string,
  metric: ServiceMetric,
  value = 1,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['Service']], Metrics: [{ Name: metric, Unit: 'Count' }] },
      ],
    },
    Service: service,
    [metric]: value,
  };
}
