import type { Context } from 'aws-lambda';
import { readLogSampleRate } from '../../functions/shared/config';
import { boundedFields, MAX_FIELD_CHARACTERS } from '../../functions/shared/logger';
import { createObservability } from '../../functions/shared/observability';
import { captureLogLines } from '../support/log-capture';

const context = {
  awsRequestId: 'b6f5b5a5-0d36-4c55-9f43-3c6d6d0f0c01',
  functionName: 'stripe-webhook',
  functionVersion: '3',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:stripe-webhook',
  memoryLimitInMB: '256',
} as Context;

describe('log lines within CloudWatch Logs’ 256 KB event limit (PutLogEvents InputLogEvent)', () => {
  it('a huge string field is cut, and says how much was cut', () => {
    const bounded = boundedFields({ body: 'x'.repeat(1_000_000), id: 'evt_1' });
    expect(String(bounded.body)).toHaveLength(MAX_FIELD_CHARACTERS + '…[991808 characters cut]'.length);
    expect(bounded.id).toBe('evt_1');
  });

  it('a line whose fields are still too large names them instead', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'y'.repeat(8000)]));
    expect(boundedFields(many)).toEqual({
      fieldsCut: Object.keys(many),
      fieldsCharacters: expect.any(Number),
    });
  });

  it('the written line stays under 256 KB and is valid JSON', async () => {
    const { log, lambdaHandler } = createObservability('stripe-webhook', {
      logLevel: 'info',
      logSampleRate: 0,
      metricsNamespace: 'Test',
    });
    const lines = await captureLogLines(async () => {
      await lambdaHandler(async () => log.info('big', { body: 'z'.repeat(2_000_000) }))({}, context);
    });
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0]).length).toBeLessThan(256 * 1024);
  });
});

describe('log-level sampling (Powertools: POWERTOOLS_LOGGER_SAMPLE_RATE)', () => {
  it('at a sample rate of 1, an invocation logs debug lines even at LOG_LEVEL=error', async () => {
    const { log, lambdaHandler } = createObservability('stripe-webhook', {
      logLevel: 'error',
      logSampleRate: 1,
      metricsNamespace: 'Test',
    });
    const lines = await captureLogLines(async () => {
      await lambdaHandler(async () => log.debug('sampled detail'))({}, context);
    });
    expect(lines.filter((line) => line.message === 'sampled detail')).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        sampling_rate: 1,
        function_request_id: context.awsRequestId,
      }),
    ]);
  });

  it('at a sample rate of 0, LOG_LEVEL=error keeps debug lines out', async () => {
    const { log, lambdaHandler } = createObservability('stripe-webhook', {
      logLevel: 'error',
      logSampleRate: 0,
      metricsNamespace: 'Test',
    });
    const lines = await captureLogLines(async () => {
      await lambdaHandler(async () => log.debug('hidden'))({}, context);
    });
    expect(lines).toEqual([]);
  });

  it('the rate is read and checked once, at cold start', () => {
    expect(readLogSampleRate({})).toBe(0);
    expect(readLogSampleRate({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0.1' })).toBe(0.1);
    expect(() => readLogSampleRate({ POWERTOOLS_LOGGER_SAMPLE_RATE: '2' })).toThrow(
      /POWERTOOLS_LOGGER_SAMPLE_RATE/,
    );
    expect(() => readLogSampleRate({ POWERTOOLS_LOGGER_SAMPLE_RATE: 'often' })).toThrow(/from 0 to 1/);
  });
});
