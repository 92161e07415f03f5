import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUILD_DIR, type FunctionName } from './bundles';
import type { Runtime } from './runtimes';

const run = promisify(execFile);

/** What one fresh process measured: the time `require` took (the module-level wiring included). */
export interface InitProbe {
  initMs: number;
  /** CPU time of the process over the same span (all threads): steadier than wall time on a busy machine. */
  cpuMs: number;
  /** Bytes of every other file the bundle loaded at init: for the deployed bundles, nothing. */
  loadedBytes: number;
  loadedModules: string[];
}

/*
 * Runs in a fresh `node` of the runtime under test. It times `require` of the bundle, which builds its
 * clients, then lists what else was loaded from disk. BENCH_EXPECT_ERROR: the bundle's configuration is
 * incomplete, so `require` throws, and the time runs until the error's stack is printed, as Lambda's
 * runtime prints an init error. BENCH_PROFILE: a CPU profile of the `require` (V8's sampling profiler over
 * the inspector protocol) is written to that file; its own overhead is then part of the time.
 */
const PROBE = `
const { statSync, writeFileSync } = require('node:fs');
const file = process.env.BENCH_BUNDLE;
let session;
performance.now(); // perf_hooks set up before the profile starts: the probe's cost, not the bundle's.
if (process.env.BENCH_PROFILE) {
  session = new (require('node:inspector').Session)();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  session.post('Profiler.start');
}
const cpu = process.cpuUsage();
const started = performance.now();
let loaded;
let stackLength = 0;
if (process.env.BENCH_EXPECT_ERROR) {
  try { require(file); } catch (error) { stackLength = String(error.stack).length; }
  if (stackLength === 0) throw new Error(file + ' did not fail its init');
} else {
  loaded = require(file);
}
const initMs = performance.now() - started;
const used = process.cpuUsage(cpu);
if (session) {
  session.post('Profiler.stop', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(result.profile));
  });
}
if (loaded && typeof loaded.handler !== 'function') throw new Error(file + ' exports no handler');
const others = Object.keys(require.cache).filter((name) => name !== file && !name.endsWith('/bundle.js'));
const loadedBytes = others.reduce((total, name) => total + statSync(name).size, 0);
process.stdout.write(JSON.stringify({ initMs, cpuMs: (used.user + used.system) / 1000, loadedBytes, loadedModules: others }));
`;

export interface ProbeOptions {
  sourceMaps: boolean;
  expectError?: boolean;
  profileTo?: string;
}

export async function probeInit(
  runtime: Runtime,
  bundle: string,
  env: Record<string, string>,
  options: ProbeOptions,
): Promise<InitProbe> {
  const { stdout } = await run(
    runtime.execPath,
    [...(options.sourceMaps ? ['--enable-source-maps'] : []), '-e', PROBE],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        BENCH_BUNDLE: bundle,
        ...(options.expectError ? { BENCH_EXPECT_ERROR: '1' } : {}),
        ...(options.profileTo ? { BENCH_PROFILE: options.profileTo } : {}),
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as InitProbe;
}

/*
 * The deployed bundle behind a two-line loader that turns on V8's compile cache (Node ≥ 22.1) from a folder
 * beside it, as an asset would ship it: `module.enableCompileCache()` keys its entries by Node version, arch
 * and V8 flags, so a cache from another V8 is simply not found and the bundle compiles as usual (and, on
 * Lambda's read-only /var/task, nothing is written).
 */
const LOADER = `const m = require('node:module');
try { m.enableCompileCache?.(require('node:path').join(__dirname, 'compile-cache')); } catch {}
module.exports = require('./bundle.js');
`;

/** Builds the loader variant of a deployed bundle and fills its cache by loading it once on `runtime`. */
export async function withCompileCache(
  name: FunctionName,
  deployed: string,
  runtime: Runtime,
  env: Record<string, string>,
): Promise<string> {
  const folder = path.join(BUILD_DIR, 'compile-cache', name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  copyFileSync(deployed, path.join(folder, 'bundle.js'));
  // The bundle's sourceMappingURL names index.js.map.
  copyFileSync(`${deployed}.map`, path.join(folder, 'index.js.map'));
  const loader = path.join(folder, 'index.js');
  writeFileSync(loader, LOADER);
  await probeInit(runtime, loader, env, { sourceMaps: true });
  return loader;
}
