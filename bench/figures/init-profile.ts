import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { BUILD_DIR, type Bundles, FUNCTION_NAMES } from '../support/bundles';
import { mergeSummaries, type ProfileSummary, summariseProfile } from '../support/cpu-profile';
import { probeInit } from '../support/init-probe';
import type { Runtime } from '../support/runtimes';

const TOP_MODULES = 8;
const TOP_FUNCTIONS = 10;

/** What V8 and Node's own frames in a profile of `require` are doing, for a reader of the notes. */
const EXPLAINED: Record<string, string> = {
  wrapSafe: 'V8 compiling the bundle’s source',
  compileForInternalLoader: 'Node compiling its own built-in modules the bundle requires',
  '(garbage collector)': 'GC',
};

/**
 * CPU profiles of `require(deployed bundle)` on `runtime`, `runs` fresh processes per function, merged, as
 * notes: the top modules (npm packages, from the bundle's source map) and functions by self time.
 */
export async function profileColdInit(
  bundles: Bundles,
  env: Record<string, string>,
  runtime: Runtime,
  runs: number,
): Promise<{ notes: string[]; summaries: Record<string, ProfileSummary> }> {
  const folder = path.join(BUILD_DIR, 'profiles');
  mkdirSync(folder, { recursive: true });
  const summaries: Record<string, ProfileSummary> = {};
  const notes: string[] = [];
  for (const name of FUNCTION_NAMES) {
    const bundle = bundles[name].deployed;
    const perRun: ProfileSummary[] = [];
    for (let index = 0; index < runs; index++) {
      const profileTo = path.join(folder, `${name}-${index}.cpuprofile`);
      await probeInit(runtime, bundle, env, { sourceMaps: true, profileTo });
      perRun.push(summariseProfile(profileTo, bundle));
    }
    const summary = mergeSummaries(perRun);
    summaries[name] = summary;
    const share = (ms: number) => `${ms.toFixed(1)} ms (${((100 * ms) / summary.totalMs).toFixed(0)} %)`;
    const label = (key: string) => {
      const bare = key.replace(/ \(.*$/, '');
      return EXPLAINED[bare] ? `${key} = ${EXPLAINED[bare]}` : key;
    };
    notes.push(
      `CPU profile of require(${name}) on ${runtime.label}, ${summary.totalMs.toFixed(1)} ms sampled (mean of ${runs} processes, 100 µs interval; the profiler’s own work excluded). Top modules: ${summary.byModule
        .slice(0, TOP_MODULES)
        .map(([key, ms]) => `${key} ${share(ms)}`)
        .join(', ')}. Top functions: ${summary.byFunction
        .slice(0, TOP_FUNCTIONS)
        .map(([key, ms]) => `${label(key)} ${share(ms)}`)
        .join('; ')}.`,
    );
  }
  return { notes, summaries };
}
