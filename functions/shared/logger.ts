/**
 * The functions' logger: Powertools for AWS Lambda's Logger underneath
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/), so every line is the JSON Lambda users
 * expect (level, message, timestamp, service, cold_start, function_name, function_version, function_request_id,
 * xray_trace_id, correlation_id, sampling_rate), behind a small interface the flow code depends on. Context
 * (event id, session id) is carried by child loggers as fields of each line, not as logger state, so records
 * processed in parallel in one invocation never see each other's fields. Secrets are never passed in.
 */
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * CloudWatch Logs takes events of at most 256 KB (PutLogEvents' InputLogEvent: "Each log event can be no larger
 * than 256 KB"); Lambda cuts a longer line, which leaves broken JSON no query can read. One string field keeps
 * its first 8 KiB, and a line whose fields would still exceed the budget carries their names instead.
 */
export const MAX_FIELD_CHARACTERS = 8 * 1024;
export const MAX_FIELDS_CHARACTERS = 200 * 1024;

export function boundedFields(fields: Record<string, unknown>): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    bounded[key] =
      typeof value === 'string' && value.length > MAX_FIELD_CHARACTERS
        ? `${value.slice(0, MAX_FIELD_CHARACTERS)}…[${value.length - MAX_FIELD_CHARACTERS} characters cut]`
        : value;
  }
  const size = JSON.stringify(bounded)?.length ?? 0;
  if (size <= MAX_FIELDS_CHARACTERS) return bounded;
  return { fieldsCut: Object.keys(fields), fieldsCharacters: size };
}

/** The interface over one Powertools logger; `child` adds fields to every line it writes. */
export function createLogger(powertools: PowertoolsLogger, context: Record<string, unknown> = {}): Logger {
  const emit = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => powertools[level](message, boundedFields({ ...context, ...fields }));
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(powertools, { ...context, ...fields }),
  };
}

/** What of an error is safe and useful in a log line: its kind and message, never request data. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const { name, message } = error;
    const code =
      (error as { code?: unknown; stripeCode?: unknown }).stripeCode ?? (error as { code?: unknown }).code;
    return { errorName: name, errorMessage: message, ...(code ? { errorCode: code } : {}) };
  }
  return { errorName: typeof error };
}
