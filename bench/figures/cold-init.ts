import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Bundles, FUNCTION_NAMES, type FunctionName } from '../support/bundles';
import { milliseconds, type Section, times } from '../support/report';
import { median } from '../support/stats';

const run = promisify(execFile);

/** What one fresh process measured: the time `require` took (the module-level wiring included). */
export interface InitProbe {
  initMs: number;
  /** Bytes of every other file the bundle loaded at init: for the deployed bundles, the AWS SDK. */
  loadedBytes: number;
  loadedModules: string[];
}

/*
 * Runs in a fresh `node --enable-source-maps` (the stack sets that in NODE_OPTIONS, so the deployed bundles
 * read their source maps at load; the flag is given to the naive bundles too). It times `require` of the
 * bundle, which builds its clients, then lists what else was loaded from disk.
 */
const PROBE = `
const { performance } = require('node:perf_hooks');
const { statSync } = require('node:fs');
const file = process.env.BENCH_BUNDLE;
const started = performance.now();
const loaded = require(file);
const initMs = performance.now() - started;
if (typeof loaded.handler !== 'function') throw new Error(file + ' exports no handler');
const others = Object.keys(require.cache).filter((name) => name !== file);
const loadedBytes = others.reduce((total, name) => total + statSync(name).size, 0);
process.stdout.write(JSON.stringify({ initMs, loadedBytes, loadedModules: others }));
`;

export async function probeInit(bundle: string, env: Record<string, string>): Promise<InitProbe> {
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '-e', PROBE], {
    env: { PATH: process.env.PATH ?? '', ...env, BENCH_BUNDLE: bundle },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as InitProbe;
}

export interface InitSamples {
  samplesMs: number[];
  medianMs: number;
  probe: InitProbe;
}

const VARIANTS = ['deployed', 'naive'] as const;
export type ColdInit = Record<(typeof VARIANTS)[number], InitSamples>;

const TARGET: Record<FunctionName, number> = {
  'stripe-webhook': 0.5,
  'setup-worker': 0.75,
  'checkout-api': 0.75,
};

/** `runs` fresh processes per bundle, the variants interleaved in rotating order (one at a time: 2 cores). */
export async function measureColdInit(
  bundles: Bundles,
  env: Record<string, string>,
  runs: number,
): Promise<Record<FunctionName, ColdInit>> {
  const samples = new Map<string, InitProbe[]>();
  for (let round = 0; round < runs; round++) {
    for (const name of FUNCTION_NAMES) {
      const order = [
        ...VARIANTS.slice(round % VARIANTS.length),
        ...VARIANTS.slice(0, round % VARIANTS.length),
      ];
      for (const variant of order) {
        const key = `${name}:${variant}`;
        samples.set(key, [...(samples.get(key) ?? []), await probeInit(bundles[name][variant], env)]);
      }
    }
  }
  const summary = (key: string): InitSamples => {
    const probes = samples.get(key) ?? [];
    const samplesMs = probes.map((probe) => probe.initMs);
    return { samplesMs, medianMs: median(samplesMs), probe: probes[0] as InitProbe };
  };
  return Object.fromEntries(
    FUNCTION_NAMES.map((name) => [
      name,
      Object.fromEntries(VARIANTS.map((variant) => [variant, summary(`${name}:${variant}`)])),
    ]),
  ) as Record<FunctionName, ColdInit>;
}

export function coldInitSection(results: Record<FunctionName, ColdInit>, runs: number): Section {
  return {
    title: `2. Cold init (median of ${runs} fresh processes each, --enable-source-maps on all)`,
    rows: FUNCTION_NAMES.flatMap((name) => {
      const { deployed, naive } = results[name];
      const row = (label: string, ours: InitSamples) => {
        const ratio = ours.medianMs / naive.medianMs;
        return {
          figure: `${name}: ${label} vs naive`,
          value: `${milliseconds(ours.medianMs)} vs ${milliseconds(naive.medianMs)} = ${times(ratio)}`,
          target: `≤ ${TARGET[name]}×`,
          pass: ratio <= TARGET[name],
          data: { samplesMs: ours.samplesMs, naiveSamplesMs: naive.samplesMs, ratio },
        };
      };
      return [row('deployed bundle', deployed)];
    }),
    notes: [
      'Cold init is the time `require(bundle)` takes in a fresh `node --enable-source-maps` process (the flag the stack sets in NODE_OPTIONS, given to every variant) with a complete environment, so the module-level wiring (config, clients) runs; Node’s own start-up, the same for all, is left out.',
    ],
  };
}
