import { megabytes, type Section } from '../support/report';
import { median } from '../support/stats';

export interface MemoryUnderLoad {
  runtime: string;
  name: string;
  load: string;
  maxRssBytes: number;
  rssAfterInitBytes: number;
}

/** Peak resident memory of each function's own process under its load (no target: for sizing memory). */
export function peakMemorySection(
  loads: MemoryUnderLoad[],
  sessionApiMs: { runtime: string; create: number[]; status: number[] }[],
): Section {
  return {
    title: '7. Peak memory (RSS) per function under load, each in its own process',
    rows: loads.map((load) => ({
      figure: `${load.runtime}: ${load.name}, ${load.load}`,
      value: `${megabytes(load.maxRssBytes)} peak (${megabytes(load.rssAfterInitBytes)} after init)`,
      target: '',
      data: { maxRssBytes: load.maxRssBytes, rssAfterInitBytes: load.rssAfterInitBytes },
    })),
    notes: [
      'Peak RSS is the process’s OS high-water mark (`process.resourceUsage().maxRSS`), Node itself and the small load driver included, as Lambda’s “Max Memory Used” includes its runtime.',
      `Session API under that load (stand-ins without added latency): ${sessionApiMs
        .map(
          (run) =>
            `${run.runtime} create p50 ${median(run.create).toFixed(2)} ms, status p50 ${median(run.status).toFixed(2)} ms`,
        )
        .join('; ')}.`,
    ],
  };
}
