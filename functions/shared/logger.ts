/**
 * Structured JSON logs, one object per line, with context (event id, session id) carried by child loggers
 * so every line about one piece of work can be found together. Secrets are never passed in.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  level: LogLevel,
  context: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (rank[at] < rank[level]) return;
    write(JSON.stringify({ timestamp: new Date().toISOString(), level: at, message, ...context, ...fields }));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(level, { ...context, ...fields }, write),
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
