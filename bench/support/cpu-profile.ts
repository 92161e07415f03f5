import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of V8's `.cpuprofile` (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where the sampled time went, in milliseconds of self time, largest first. */
export interface ProfileSummary {
  totalMs: number;
  /** npm package (from the bundle's source map), `functions/` for our code, `node:internal` or V8's own. */
  byModule: [string, number][];
  /** `name (source file:line)`, the source file read through the source map when in the bundle. */
  byFunction: [string, number][];
}

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)/;
const TOP_LEVEL = 'bundle top level';

/**
 * Self time per sample, each sample attributed to the function it landed in; frames inside the bundle are
 * mapped back through its source map (Node's own `SourceMap`), so a minified bundle still names the package
 * and function. Time V8 spends compiling a function lazily is charged to the frame that called it.
 */
export function summariseProfile(profileFile: string, bundle: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const bundleUrl = pathToFileURL(bundle).href;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  const add = (into: Map<string, number>, key: string, us: number) =>
    into.set(key, (into.get(key) ?? 0) + us);
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    // The inspector session that took the profile, and the probe around `require`: not the bundle's cost.
    if (url === 'node:inspector' || url.startsWith('[eval')) continue;
    let module: string;
    let where: string;
    let name = functionName;
    if (url === bundleUrl || url === bundle) {
      const entry = map.findEntry(lineNumber, columnNumber) as {
        originalSource?: string;
        originalLine?: number;
        name?: string;
      };
      // No mapping: the bundle's own top level, where esbuild hoists every module's initialisation code.
      const source = entry.originalSource ?? TOP_LEVEL;
      module = PACKAGE.exec(source)?.[1] ?? (source.includes('/functions/') ? 'functions/' : source);
      where =
        source === TOP_LEVEL
          ? ''
          : `${source.replace(/^.*node_modules\//, '').replace(/^.*\/functions\//, 'functions/')}:${(entry.originalLine ?? 0) + 1}`;
      name = source === TOP_LEVEL ? TOP_LEVEL : (entry.name ?? (functionName || '(anonymous)'));
    } else if (url.startsWith('node:')) {
      module = 'node:internal';
      where = url;
    } else if (url === '') {
      // (program), (garbage collector), (idle) and V8 builtins.
      if (functionName === '(idle)') continue;
      module = functionName.startsWith('(') ? functionName : 'V8 builtins';
      where = '';
    } else {
      module = path.basename(url);
      where = url;
    }
    totalUs += us;
    add(modules, module, us);
    add(functions, where ? `${name || '(anonymous)'} (${where})` : name, us);
  }
  const top = (from: Map<string, number>) =>
    [...from.entries()].sort((a, b) => b[1] - a[1]).map(([key, us]): [string, number] => [key, us / 1000]);
  return { totalMs: totalUs / 1000, byModule: top(modules), byFunction: top(functions) };
}

/** Sums several runs' summaries (each a fresh process), so one noisy sample does not decide the ranking. */
export function mergeSummaries(summaries: ProfileSummary[]): ProfileSummary {
  const merge = (pick: (summary: ProfileSummary) => [string, number][]) => {
    const totals = new Map<string, number>();
    for (const summary of summaries) {
      for (const [key, ms] of pick(summary)) totals.set(key, (totals.get(key) ?? 0) + ms / summaries.length);
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1]);
  };
  return {
    totalMs: summaries.reduce((total, summary) => total + summary.totalMs, 0) / summaries.length,
    byModule: merge((summary) => summary.byModule),
    byFunction: merge((summary) => summary.byFunction),
  };
}
