import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A Node binary the figures run on: its major version, exact version and path. */
export interface Runtime {
  label: string;
  version: string;
  execPath: string;
}

/**
 * Where fetched Node binaries live, one folder per major version. Under node_modules so it is git-ignored and
 * goes away with `rm -rf node_modules`, but it is not a dependency: `npm ci` never downloads ~30 MB per
 * version for a benchmark most installs never run.
 */
export const RUNTIME_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'bench-node');

/** Deployed runtime first: the stack runs Node 24 (lib/service-function.ts); 22 and 20 are supported. */
export const FULL_RUN_MAJORS = ['24', '22', '20'] as const;

const currentMajor = () => process.versions.node.split('.')[0] as string;

/**
 * The Node binary for a major version: this process's own when it matches, otherwise the official binary the
 * npm registry serves as `node-linux-<arch>@<major>`, fetched once with `npm pack` into RUNTIME_CACHE and
 * unpacked with tar (only bin/node is kept).
 */
export async function ensureRuntime(major: string, log: (message: string) => void): Promise<Runtime> {
  if (major === currentMajor()) {
    return { label: `Node ${major}`, version: process.version, execPath: process.execPath };
  }
  const folder = path.join(RUNTIME_CACHE, major);
  const execPath = path.join(folder, 'bin', 'node');
  if (!existsSync(execPath)) {
    if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
      throw new Error(`no npm-packaged Node binary for ${process.platform}-${process.arch}`);
    }
    const spec = `node-linux-${process.arch}@${major}`;
    log(`fetching ${spec} into ${path.relative(process.cwd(), folder)} (once; about 50 MB packed)`);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    await run('npm', ['pack', spec, '--silent', '--pack-destination', folder], { cwd: folder });
    const tarball = readdirSync(folder).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec} left no tarball`);
    // Unpacked aside, then renamed into place: an interrupted fetch never leaves a half-written bin/node.
    mkdirSync(path.join(folder, 'unpacking'));
    await run('tar', ['xzf', tarball, '-C', 'unpacking', '--strip-components=1', 'package/bin/node'], {
      cwd: folder,
    });
    renameSync(path.join(folder, 'unpacking', 'bin'), path.join(folder, 'bin'));
    rmSync(path.join(folder, 'unpacking'), { recursive: true });
    rmSync(path.join(folder, tarball));
  }
  const { stdout } = await run(execPath, ['--version']);
  return { label: `Node ${major}`, version: stdout.trim(), execPath };
}

/** `--node 24,22` on the command line, else all three on a full run and this process's Node on a quick one. */
export function requestedMajors(argv: string[], quick: boolean): string[] {
  const option = argv.find((arg) => arg.startsWith('--node='));
  if (option) return option.slice('--node='.length).split(',').filter(Boolean);
  return quick ? [currentMajor()] : [...FULL_RUN_MAJORS];
}

export async function ensureRuntimes(majors: string[], log: (message: string) => void): Promise<Runtime[]> {
  const runtimes: Runtime[] = [];
  // One at a time: each fetch is large, and the machine is shared.
  for (const major of majors) runtimes.push(await ensureRuntime(major, log));
  return runtimes;
}
