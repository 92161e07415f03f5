import { readableLogLine } from '../../dev/log-format';

/*
 * The local stack's readable log lines. The JSON lines are Powertools Logger's, with its standard keys
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#standard-structured-keys); EMF metric
 * documents follow CloudWatch's Embedded Metric Format specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
const POWERTOOLS_LINE = {
  level: 'INFO',
  message: 'setup processed',
  timestamp: '2026-12-04T12:01:02.345Z',
  service: 'setup-worker',
  cold_start: true,
  function_arn: 'arn:aws:lambda:local:000000000000:function:setup-worker',
  function_memory_size: '512',
  function_name: 'setup-worker',
  function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  function_version: '$LATEST',
  sampling_rate: 0,
  xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
  correlation_id: 'a1b2',
  sessionId: 'cs_test_1',
  outcome: 'applied',
  reason: 'newer setup won',
};

describe('readable log lines', () => {
  it('puts time, level, function and message first, the details after, and drops the per-invocation context', () => {
    expect(readableLogLine(JSON.stringify(POWERTOOLS_LINE))).toBe(
      '12:01:02.345 INFO  setup-worker   setup processed sessionId=cs_test_1 outcome=applied reason="newer setup won"',
    );
  });

  it('shows an error as its name and message, on the same line', () => {
    const line = {
      ...POWERTOOLS_LINE,
      level: 'WARN',
      error: { name: 'StripeCardError', message: 'declined', stack: 'x\ny' },
    };
    expect(readableLogLine(JSON.stringify(line))).toMatch(/ error="StripeCardError: declined"$/);
  });

  it('shows an EMF document as its metric values', () => {
    const metrics = {
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          {
            Namespace: 'n',
            Dimensions: [['service']],
            Metrics: [{ Name: 'DefaultsApplied', Unit: 'Count' }],
          },
        ],
      },
      service: 'setup-worker',
      DefaultsApplied: 1,
    };
    expect(readableLogLine(JSON.stringify(metrics))).toBe('metric setup-worker   DefaultsApplied=1');
  });

  it('leaves anything that is not a log object as it is', () => {
    for (const line of ['plain text', '{not json', '{"no":"level"}', ''])
      expect(readableLogLine(line)).toBe(line);
  });
});
