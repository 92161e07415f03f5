export type LogLine = Record<string, unknown>;

/**
 * The JSON lines written while `run` runs. Powertools writes warnings and errors to stderr and the rest
 * (metrics included) to stdout; Lambda keeps both in one log, and so does this.
 */
export async function captureLogLines(run: () => Promise<unknown>): Promise<LogLine[]> {
  let out = '';
  const capture = (chunk: unknown) => {
    out += String(chunk);
    return true;
  };
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(capture),
  );
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}
