import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** One line of the results table: what was measured, its value, the target and whether it was met. */
export interface Row {
  figure: string;
  value: string;
  /** Empty for figures reported for information only. */
  target: string;
  /** undefined: no target. */
  pass?: boolean;
  /** Raw numbers for results.json. */
  data?: Record<string, unknown>;
}

export interface Section {
  title: string;
  rows: Row[];
  notes?: string[];
}

const mark = (pass: boolean | undefined) => (pass === undefined ? '—' : pass ? 'pass' : 'MISS');

/** The table as Markdown, so the terminal output can be pasted into docs/performance.md as it is. */
export function formatTable(sections: Section[]): string {
  const lines = ['| figure | value | target | mark |', '| --- | --- | --- | --- |'];
  for (const section of sections) {
    lines.push(`| **${section.title}** | | | |`);
    for (const row of section.rows) {
      lines.push(`| ${row.figure} | ${row.value} | ${row.target || '—'} | ${mark(row.pass)} |`);
    }
  }
  const notes = sections.flatMap((section) => section.notes ?? []);
  return [...lines, '', ...notes.map((note) => `- ${note}`)].join('\n');
}

export function writeResults(file: string, results: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

export const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const milliseconds = (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;
export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
