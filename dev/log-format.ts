/**
 * `npm run dev`'s log lines, readable: the handlers log one JSON object per line with Lambda's context fields
 * (Powertools' keys, for CloudWatch Logs Insights), 600–900 characters each. Locally the time, level, function
 * and message come first and the rest follows as key=value, without the fields that are the same on every
 * line. `LOG_FORMAT=json` keeps the lines exactly as Lambda writes them.
 */
const CONTEXT_FIELDS = new Set([
  'timestamp',
  'level',
  'service',
  'message',
  'function_name',
  'function_version',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'cold_start',
  'xray_trace_id',
  'sampling_rate',
  'correlation_id',
]);

export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry._aws === 'object' && entry._aws !== null) return readableMetrics(entry);
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return line;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : '';
  const service = typeof entry.service === 'string' ? entry.service : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !CONTEXT_FIELDS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [time, entry.level.padEnd(5), service.padEnd(14), entry.message, ...fields].join(' ').trimEnd();
}

/** An Embedded Metric Format document: its metric values, one line. */
function readableMetrics(entry: Record<string, unknown>): string {
  const aws = entry._aws as { CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] };
  const names = (aws.CloudWatchMetrics ?? [])
    .flatMap((set) => set.Metrics ?? [])
    .map((metric) => metric.Name);
  const values = names
    .filter((name): name is string => typeof name === 'string')
    .map((name) => `${name}=${formatValue(entry[name])}`);
  return ['metric', String(entry.service ?? '').padEnd(14), ...values].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object') {
    const error = value as { name?: unknown; message?: unknown };
    if (typeof error.name === 'string' && typeof error.message === 'string') {
      return JSON.stringify(`${error.name}: ${error.message}`);
    }
  }
  return JSON.stringify(value) ?? String(value);
}

/** Rewrites each whole line written to the stream; a partial line waits for its end. */
export function formatStreamLines(stream: NodeJS.WriteStream, format: (line: string) => string): void {
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  let pending = '';
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    const ok = lines.length === 0 ? true : write(lines.map((line) => `${format(line)}\n`).join(''));
    callback?.();
    return ok;
  }) as typeof stream.write;
}
