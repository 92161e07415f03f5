import { megabytes, type Section } from '../support/report';
import { median } from '../support/stats';

export interface MemoryUnderLoad {
  name: string;
  load: string;
  maxRssBytes: number;
  rssAfterInitBytes: number;
}

/** Peak resident memory of each function's own process under its load (no target: for sizing memory). */
export function peakMemorySection(
  loads: MemoryUnderLoad[],
  sessionApiMs?: { create: number[]; status: number[] },
): Section {
  return {
    title: '7. Peak memory (RSS) per function under load, each in its own process',
    rows: loads.map((load) => ({
      figure: `${load.name}: ${load.load}`,
      value: `${megabytes(load.maxRssBytes)} peak (${megabytes(load.rssAfterInitBytes)} after init)`,
      target: '',
      data: { maxRssBytes: load.maxRssBytes, rssAfterInitBytes: load.rssAfterInitBytes },
    })),
    notes: [
      'Peak RSS is the process’s OS high-water mark (`process.resourceUsage().maxRSS`), Node itself and the small load driver included, as Lambda’s “Max Memory Used” includes its runtime.',
      ...(sessionApiMs
        ? [
            `Session API under that load: create p50 ${median(sessionApiMs.create).toFixed(2)} ms, status p50 ${median(sessionApiMs.status).toFixed(2)} ms (stand-ins without added latency).`,
          ]
        : []),
    ],
  };
}
