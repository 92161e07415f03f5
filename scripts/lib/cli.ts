/** Shared bits of the operator scripts: argument parsing, durations, a progress line. */

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
}

export function parseArgs(argv: string[], valued: string[]): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if (arg.startsWith('--')) {
      flags.add(arg);
    } else {
      throw new UsageError(`unexpected argument: ${arg}`);
    }
  }
  return { flags, values };
}

export class UsageError extends Error {}

/** `30m`, `48h`, `7d` → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) throw new UsageError(`not a duration: ${text} (use e.g. 30m, 48h, 7d)`);
  const unit = { m: 60, h: 3600, d: 86_400 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A one-line progress bar on stderr; on a terminal it redraws in place. */
export function progressLine(label: string, done: number, total?: number): void {
  const width = 24;
  const bar =
    total && total > 0
      ? `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, '.')}] ${done}/${total}`
      : `${done}`;
  process.stderr.write(process.stderr.isTTY ? `\r${label} ${bar}` : `${label} ${bar}\n`);
}

export async function runCli(main: () => Promise<number>, usage: string): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
