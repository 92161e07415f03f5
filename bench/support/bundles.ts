import { rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { esbuildOptionsFor, FUNCTION_NAMES } from '../../lib/service-function';

export type FunctionName = (typeof FUNCTION_NAMES)[number];
export { FUNCTION_NAMES };

/* Inside the project (cdk.out is git-ignored), so anything a bundle still loads resolves from node_modules. */
const PROJECT_ROOT = path.join(__dirname, '..', '..');
export const BUILD_DIR = path.join(PROJECT_ROOT, 'cdk.out', 'bench');

export interface FunctionBundles {
  /** Exactly what the stack deploys: minified, source maps, the AWS SDK bundled in. */
  deployed: string;
  /** `esbuild --bundle --platform=node` of the naive handler, nothing else. */
  naive: string;
}

export type Bundles = Record<FunctionName, FunctionBundles>;

/** The load drivers that run in child processes, each beside the deployed bundle it loads. */
export const LOAD_DRIVERS = ['webhook-overhead', 'worker-instance', 'worker-latency', 'session-api'] as const;
export type LoadDriver = (typeof LOAD_DRIVERS)[number];

/** The AWS stand-ins' own process (bench/load/aws-stand-ins.ts). */
export const AWS_STAND_INS = 'aws-stand-ins';

export function driverFile(driver: LoadDriver | typeof AWS_STAND_INS): string {
  return path.join(BUILD_DIR, 'load', `${driver}.js`);
}

/** Builds every variant of every function, and the load drivers, in parallel. */
export async function buildAll(): Promise<Bundles> {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const bundles = {} as Bundles;
  const builds: Promise<unknown>[] = [];
  for (const name of FUNCTION_NAMES) {
    const files: FunctionBundles = {
      deployed: path.join(BUILD_DIR, 'deployed', name, 'index.js'),
      naive: path.join(BUILD_DIR, 'naive', name, 'index.js'),
    };
    bundles[name] = files;
    builds.push(
      checked(build(esbuildOptionsFor(name, files.deployed))),
      checked(
        build({
          entryPoints: [path.join(__dirname, '..', 'naive', `${name}.ts`)],
          outfile: files.naive,
          bundle: true,
          platform: 'node',
          logLevel: 'silent',
        }),
      ),
    );
  }
  for (const driver of LOAD_DRIVERS) {
    const options: BuildOptions = {
      entryPoints: [path.join(__dirname, '..', 'load', `${driver}.ts`)],
      outfile: driverFile(driver),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Shared with the function under test, as in a Lambda instance: loaded once, from node_modules.
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    };
    builds.push(checked(build(options)));
  }
  builds.push(
    checked(
      build({
        entryPoints: [path.join(__dirname, '..', 'load', `${AWS_STAND_INS}.ts`)],
        outfile: driverFile(AWS_STAND_INS),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // dynalite and local-aws-sqs load their own files at run time: left in node_modules.
        packages: 'external',
        logLevel: 'silent',
      }),
    ),
  );
  await Promise.all(builds);
  return bundles;
}

async function checked<T extends { errors: unknown[] }>(result: Promise<T>): Promise<T> {
  const built = await result;
  if (built.errors.length > 0) throw new Error(`esbuild failed: ${JSON.stringify(built.errors)}`);
  return built;
}

export const fileSize = (file: string) => statSync(file).size;
