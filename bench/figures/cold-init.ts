import { type Bundles, FUNCTION_NAMES, type FunctionName } from '../support/bundles';
import { type InitProbe, type ProbeOptions, probeInit, withCompileCache } from '../support/init-probe';
import { milliseconds, type Row, type Section, times } from '../support/report';
import type { Runtime } from '../support/runtimes';
import { median } from '../support/stats';

export type { InitProbe };

export interface InitSamples {
  samplesMs: number[];
  cpuSamplesMs: number[];
  medianMs: number;
  cpuMedianMs: number;
  probe: InitProbe;
}

/*
 * On every runtime: the deployed bundle and the naive one, both under `--enable-source-maps` (the stack sets
 * it in NODE_OPTIONS; the naive bundle gets it too). On the deployed runtime only, the experiments of the
 * cold-init notes: without source maps, with V8's compile cache, and an init error's stack trace with and
 * without source maps.
 */
export const VARIANTS = ['deployed', 'naive'] as const;
export const EXPERIMENTS = [
  'no source maps',
  'compile cache',
  'init error, mapped',
  'init error, plain',
] as const;
type Variant = (typeof VARIANTS)[number] | (typeof EXPERIMENTS)[number];

/** Per runtime label, per function, per variant measured there. */
export type ColdInit = Map<string, Record<FunctionName, Partial<Record<Variant, InitSamples>>>>;

const TARGET: Record<FunctionName, number> = {
  'stripe-webhook': 0.5,
  'setup-worker': 0.75,
  'checkout-api': 0.75,
};

/** A variable each function reads at init: left out, its init fails as a misconfigured deploy's would. */
const REQUIRED_AT_INIT: Record<FunctionName, string> = {
  'stripe-webhook': 'QUEUE_URL',
  'setup-worker': 'TABLE_NAME',
  'checkout-api': 'TABLE_NAME',
};
const INIT_ERROR_FUNCTION: FunctionName = 'setup-worker';

const canCompileCache = (runtime: Runtime) => {
  const [major = 0, minor = 0] = runtime.version.slice(1).split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
};

/**
 * `runs` rounds; in each, every runtime × function × variant once, in an order that rotates by round (one
 * process at a time: 2 cores), so drift on the machine hits every variant alike.
 */
export async function measureColdInit(
  bundles: Bundles,
  env: Record<string, string>,
  runs: number,
  runtimes: Runtime[],
  experimentsOn: Runtime | undefined,
): Promise<ColdInit> {
  const cached = new Map<FunctionName, string>();
  if (experimentsOn && canCompileCache(experimentsOn)) {
    for (const name of FUNCTION_NAMES) {
      cached.set(name, await withCompileCache(name, bundles[name].deployed, experimentsOn, env));
    }
  }
  const jobs: { runtime: Runtime; name: FunctionName; variant: Variant; run: () => Promise<InitProbe> }[] =
    [];
  for (const runtime of runtimes) {
    for (const name of FUNCTION_NAMES) {
      const job = (variant: Variant, bundle: string, options: ProbeOptions, jobEnv = env) =>
        jobs.push({ runtime, name, variant, run: () => probeInit(runtime, bundle, jobEnv, options) });
      job('deployed', bundles[name].deployed, { sourceMaps: true });
      job('naive', bundles[name].naive, { sourceMaps: true });
      if (runtime !== experimentsOn) continue;
      job('no source maps', bundles[name].deployed, { sourceMaps: false });
      const loader = cached.get(name);
      if (loader) job('compile cache', loader, { sourceMaps: true });
      // One function is enough to price a mapped stack; each such probe takes several times a plain one.
      if (name !== INIT_ERROR_FUNCTION) continue;
      const { [REQUIRED_AT_INIT[name]]: _left, ...incomplete } = env;
      job('init error, mapped', bundles[name].deployed, { sourceMaps: true, expectError: true }, incomplete);
      job('init error, plain', bundles[name].deployed, { sourceMaps: false, expectError: true }, incomplete);
    }
  }
  const samples = new Map<string, InitProbe[]>();
  for (let round = 0; round < runs; round++) {
    const shift = (round * 7) % jobs.length;
    for (const job of [...jobs.slice(shift), ...jobs.slice(0, shift)]) {
      const key = `${job.runtime.label}|${job.name}|${job.variant}`;
      samples.set(key, [...(samples.get(key) ?? []), await job.run()]);
    }
  }
  const results: ColdInit = new Map();
  for (const job of jobs) {
    const probes = samples.get(`${job.runtime.label}|${job.name}|${job.variant}`) ?? [];
    const samplesMs = probes.map((probe) => probe.initMs);
    const cpuSamplesMs = probes.map((probe) => probe.cpuMs);
    const perFunction =
      results.get(job.runtime.label) ??
      (Object.fromEntries(FUNCTION_NAMES.map((name) => [name, {}])) as Record<
        FunctionName,
        Partial<Record<Variant, InitSamples>>
      >);
    perFunction[job.name][job.variant] = {
      samplesMs,
      cpuSamplesMs,
      medianMs: median(samplesMs),
      cpuMedianMs: median(cpuSamplesMs),
      probe: probes[0] as InitProbe,
    };
    results.set(job.runtime.label, perFunction);
  }
  return results;
}

export function coldInitSection(results: ColdInit, runs: number): Section {
  const rows: Row[] = [];
  for (const [label, perFunction] of results) {
    for (const name of FUNCTION_NAMES) {
      const { deployed, naive } = perFunction[name];
      if (!deployed || !naive) continue;
      const ratio = deployed.medianMs / naive.medianMs;
      const cpuRatio = deployed.cpuMedianMs / naive.cpuMedianMs;
      rows.push({
        figure: `${label}: ${name} deployed vs naive`,
        value: `${milliseconds(deployed.medianMs)} vs ${milliseconds(naive.medianMs)} = ${times(ratio)} (CPU ${milliseconds(deployed.cpuMedianMs)} vs ${milliseconds(naive.cpuMedianMs)} = ${times(cpuRatio)})`,
        target: `≤ ${TARGET[name]}×`,
        pass: ratio <= TARGET[name],
        data: {
          samplesMs: deployed.samplesMs,
          naiveSamplesMs: naive.samplesMs,
          cpuSamplesMs: deployed.cpuSamplesMs,
          naiveCpuSamplesMs: naive.cpuSamplesMs,
          ratio,
          cpuRatio,
        },
      });
    }
  }
  return {
    title: `2. Cold init (median of ${runs} fresh processes each, --enable-source-maps on all, runtimes and variants interleaved)`,
    rows,
    notes: [
      'Cold init is the time `require(bundle)` takes in a fresh `node --enable-source-maps` process (the flag the stack sets in NODE_OPTIONS, given to every variant) with a complete environment, so the module-level wiring (config, clients) runs; Node’s own start-up, the same for all, is left out. The mark is on wall time; CPU time (all threads, `process.cpuUsage`) is shown beside it because other work on the machine moves it far less.',
    ],
  };
}

/** The experiments on the deployed runtime, each against the deployed bundle as it ships (source maps on). */
export function coldInitExperimentsSection(
  results: ColdInit,
  runtime: Runtime,
  runs: number,
): Section | undefined {
  const perFunction = results.get(runtime.label);
  if (!perFunction) return undefined;
  const rows: Row[] = [];
  const compare = (name: FunctionName, variant: Variant, against: Variant, figure: string) => {
    const ours = perFunction[name][variant];
    const base = perFunction[name][against];
    if (!ours || !base) return;
    const ratio = ours.medianMs / base.medianMs;
    rows.push({
      figure: `${runtime.label}: ${name} ${figure}`,
      value: `${milliseconds(ours.medianMs)} vs ${milliseconds(base.medianMs)} = ${times(ratio)} (CPU ${milliseconds(ours.cpuMedianMs)} vs ${milliseconds(base.cpuMedianMs)} = ${times(ours.cpuMedianMs / base.cpuMedianMs)})`,
      target: '',
      data: {
        samplesMs: ours.samplesMs,
        baseSamplesMs: base.samplesMs,
        cpuSamplesMs: ours.cpuSamplesMs,
        ratio,
      },
    });
  };
  for (const name of FUNCTION_NAMES) {
    compare(name, 'no source maps', 'deployed', 'without vs with --enable-source-maps');
    compare(name, 'compile cache', 'deployed', 'with a matching V8 compile cache vs without');
    compare(
      name,
      'init error, mapped',
      'init error, plain',
      'init error until its stack is printed: source-mapped vs plain',
    );
  }
  return {
    title: `2b. Cold-init experiments on ${runtime.label} (${runtime.version}; median of ${runs} each, interleaved with figure 2)`,
    rows,
    notes: [],
  };
}
