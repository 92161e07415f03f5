import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { postJson, send } from '../support/http';
import { captureLogLines, type LogLine } from '../support/log-capture';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * Oracle: Powertools for AWS Lambda (TypeScript) Logger's documented keys
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#standard-structured-keys) and
 * Embedded Metric Format (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * The local stack invokes each handler as Lambda does, with a context and a trace id per invocation, and runs
 * invocations concurrently: the lines of one invocation must still name that invocation alone.
 */

type Line = LogLine;

/** A full setup, with a few status polls and a bad request, several of them at once. */
async function runSetups(stack: ServiceStack, count: number): Promise<void> {
  const setup = async () => {
    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const sessions = `${stack.api.url}/checkout-sessions`;
    await postJson(sessions, { customer: customer.id, colour: 'blue' });
    const created = await postJson(sessions, { customer: customer.id, subscription: subscription.id });
    await completeSession(stack.stripeStandIn, created.json.id, { deliverTo: stack.webhookUrl });
    await send(`${sessions}/${created.json.id}`);
  };
  // One alone first, so each function's cold start is an invocation that logs; then the rest at once.
  await setup();
  await stack.drainQueue({ retryDelaySeconds: 0 });
  await Promise.all(Array.from({ length: count - 1 }, setup));
  await stack.drainQueue({ retryDelaySeconds: 0 });
}

const isMetricDocument = (line: Line) => '_aws' in line;

// test/support/jest-env.ts turns metrics off for the rest of the suite; they are what this file checks.
beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

describe('log lines carry the Lambda invocation they belong to', () => {
  let stack: ServiceStack;
  let lines: Line[];
  beforeAll(async () => {
    stack = await startServiceStack({ env: { LOG_LEVEL: 'debug' } });
    lines = await captureLogLines(() => runSetups(stack, 4));
  }, 60_000);
  afterAll(() => stack.close());

  it('every line names its function, version, request id, cold start and X-Ray trace id', () => {
    const logLines = lines.filter((line) => !isMetricDocument(line));
    expect(new Set(logLines.map((line) => line.service))).toEqual(
      new Set(['checkout-api', 'stripe-webhook', 'setup-worker']),
    );
    for (const line of logLines) {
      expect(line).toMatchObject({
        level: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/),
        message: expect.any(String),
        timestamp: expect.any(String),
        function_name: line.service,
        function_version: '$LATEST',
        function_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        cold_start: expect.any(Boolean),
        xray_trace_id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      });
    }
  });

  it('the lines of one invocation share one trace id, and no two invocations share theirs', () => {
    const traceOf = new Map<unknown, Set<unknown>>();
    for (const line of lines.filter((line) => !isMetricDocument(line))) {
      const traces = traceOf.get(line.function_request_id) ?? new Set();
      traces.add(line.xray_trace_id);
      traceOf.set(line.function_request_id, traces);
    }
    // 4 setups: 4 refused requests, 4 deliveries and at least two worker batches log.
    expect(traceOf.size).toBeGreaterThanOrEqual(10);
    for (const traces of traceOf.values()) expect(traces.size).toBe(1);
    const allTraces = [...traceOf.values()].flatMap((traces) => [...traces]);
    expect(new Set(allTraces).size).toBe(allTraces.length);
  });

  it('HTTP lines carry API Gateway’s request id as correlation id, worker lines the SQS message id', () => {
    const http = lines.filter((line) => line.service !== 'setup-worker' && !isMetricDocument(line));
    for (const line of http)
      expect(line).toMatchObject({ correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const processed = lines.filter((line) => line.message === 'setup processed');
    expect(processed).toHaveLength(4);
    for (const line of processed) expect(line).toMatchObject({ correlation_id: expect.any(String) });
    // Each setup's webhook line and worker line name the same Stripe event.
    const enqueued = new Set(
      lines.filter((line) => line.message === 'webhook event enqueued').map((line) => line.stripeEventId),
    );
    expect(new Set(processed.map((line) => line.stripeEventId))).toEqual(enqueued);
  });

  it('only the first invocation of each function is a cold start', () => {
    for (const service of ['checkout-api', 'stripe-webhook', 'setup-worker']) {
      const coldStarts = new Set(
        lines
          .filter((line) => line.service === service && line.cold_start === true)
          .map((line) => line.function_request_id),
      );
      expect({ service, coldStarts: coldStarts.size }).toEqual({ service, coldStarts: 1 });
    }
  });
});

describe('metrics whatever the log level', () => {
  let stack: ServiceStack;
  let lines: Line[];
  beforeAll(async () => {
    stack = await startServiceStack({ env: { LOG_LEVEL: 'silent' } });
    lines = await captureLogLines(() => runSetups(stack, 2));
  }, 60_000);
  afterAll(() => stack.close());

  it('with LOG_LEVEL=silent no log line is written, and each applied setup is still counted in EMF', () => {
    expect(lines.filter((line) => !isMetricDocument(line))).toEqual([]);
    const applied = lines.filter((line) => 'DefaultsApplied' in line);
    // Powertools puts the values of one metric added twice in one invocation in an array.
    const counted = applied.flatMap((line) => [line.DefaultsApplied].flat()).length;
    expect(counted).toBe(2);
    for (const document of applied) {
      expect(document).toMatchObject({
        service: 'setup-worker',
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'StripeSetupModeService',
              // The alarm on PermanentFailures (lib/service-alarms.ts) names the same dimension.
              Dimensions: [['service']],
              Metrics: expect.arrayContaining([{ Name: 'DefaultsApplied', Unit: 'Count' }]),
            },
          ],
        },
      });
    }
  });
});
