/**
 * Logs and metrics in Lambda's conventions, from Powertools for AWS Lambda (TypeScript): each function builds
 * one Logger and one Metrics at init, and `lambdaHandler` gives every invocation what Powertools'
 * `injectLambdaContext` and `logMetrics` middlewares give it (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#capturing-lambda-context-info):
 * the context on every line, a fresh log-level sampling decision, a correlation id, and the metrics flushed at
 * the end. Metrics go to stdout as Embedded Metric Format documents through their own writer, so LOG_LEVEL
 * never hides them.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createLogger, type Logger, type LogLevel } from './logger';

export type FunctionService = 'checkout-api' | 'stripe-webhook' | 'setup-worker';

export interface ObservabilityConfig {
  logLevel: LogLevel;
  /** Share of invocations logged at debug (POWERTOOLS_LOGGER_SAMPLE_RATE). */
  logSampleRate: number;
  metricsNamespace: string;
}

/** The metrics the functions emit: CloudWatch extracts them from the log (no API call, no latency). */
export type ServiceMetric =
  | 'PermanentFailures'
  | 'SetupAttemptsFailed'
  | 'DefaultsApplied'
  | 'SetupsSuperseded'
  | 'SetupsPending'
  /** A Stripe key or signing secret this deployment refused (shape, mode, live key when unauthenticated). */
  | 'SecretsRefused'
  /** Queue messages the worker could not prove were the service's own: dropped, never acted on. */
  | 'UnprovenMessages'
  /** Webhook deliveries refused for a bad signature or the wrong Stripe mode (Stripe retries, then disables). */
  | 'WebhookRejections'
  /** Records the worker handed back for another delivery (batchItemFailures). */
  | 'RecordsRetried'
  /** Queue records the worker moved to the dead-letter queue: past the retry horizon, or failing unexpectedly. */
  | 'RecordsDeadLettered'
  /** Stripe answered 429: this account's rate limit is spent (https://docs.stripe.com/rate-limits). */
  | 'StripeRateLimited'
  /** Recovery events acted on (failed renewals, expiring cards, changes made elsewhere). */
  | 'RecoveryEventsHandled'
  /** `customer.updated` / `customer.subscription.updated` that echo a default the service set itself. */
  | 'EchoesDropped'
  /** A recovery event's attempt that failed and will be retried (alarmed when sustained). */
  | 'RecoveryEventsFailed';

/** What the Stripe SDK reports after each response (its `response` event, lib.d.ts ResponseEvent). */
export interface StripeResponseFigures {
  status: number;
  elapsed: number;
}

export interface ServiceMetrics {
  count(metric: ServiceMetric): void;
}

/** Lambda's handler shape; the context is optional so a caller without one (a benchmark) still works. */
export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

export interface Observability {
  log: Logger;
  metrics: ServiceMetrics;
  /** Counts Stripe's 429s and records each response's latency (StripeLatency, milliseconds). */
  stripeResponses(response: StripeResponseFigures): void;
  /** Wraps a handler: `correlationId` picks the id that ties this invocation to its caller, if any. */
  lambdaHandler<E, R>(
    handler: (event: E, context?: Context) => Promise<R>,
    correlationId?: (event: E) => string | undefined,
  ): LambdaHandler<E, R>;
}

export function createObservability(service: FunctionService, config: ObservabilityConfig): Observability {
  const powertools = new PowertoolsLogger({
    serviceName: service,
    logLevel: config.logLevel,
    sampleRateValue: config.logSampleRate,
  });
  // The `service` dimension is Powertools' default, from serviceName; the alarms name the same one.
  const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: service });
  return {
    log: createLogger(powertools),
    metrics: { count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1) },
    stripeResponses: ({ status, elapsed }) => {
      metrics.addMetric('StripeLatency', MetricUnit.Milliseconds, elapsed);
      if (status === 429) metrics.addMetric('StripeRateLimited', MetricUnit.Count, 1);
    },
    lambdaHandler: (handler, correlationId) => async (event, context) => {
      // Without a context (a benchmark driver, a test calling the handler directly) there is no invocation
      // to describe, and Lambda's per-invocation state is left alone.
      if (context) {
        powertools.resetKeys();
        powertools.refreshSampleRateCalculation();
        powertools.addContext(context);
        // Powertools' context keys leave out the version; an alias or version is what tells a rollout apart.
        powertools.appendKeys({ function_version: context.functionVersion });
        const id = correlationId?.(event);
        if (id) powertools.setCorrelationId(id);
      }
      try {
        return await handler(event, context);
      } finally {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    },
  };
}
