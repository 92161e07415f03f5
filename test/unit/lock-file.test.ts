import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { missingOptionalPackages, type PackageLock, undecidedInstallScripts } from '../support/lock-file';

// Oracle: npm's own rule, as `npm ci` applies it ("Missing: @biomejs/cli-darwin-arm64@2.6.8 from lock file"):
// every optional dependency named by a locked package must itself be locked, whatever the platform.
const root = path.join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('package-lock.json', () => {
  const lock = readJson('package-lock.json') as PackageLock;

  it('is a lockfileVersion 3 lock', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it('lists every optional platform package of every dependency, so npm ci works on any machine', () => {
    expect(missingOptionalPackages(lock)).toEqual([]);
  });

  // npm 11 blocks dependency install scripts unless package.json's allowScripts names them; docs/security.md's
  // dependency table gives the reason for each decision.
  it('has every dependency install script approved or denied in allowScripts', () => {
    const allowScripts = readJson('package.json').allowScripts ?? {};
    expect(undecidedInstallScripts(lock, allowScripts)).toEqual([]);
    expect(undecidedInstallScripts(lock, {})).toEqual(
      expect.arrayContaining(['@parcel/watcher', '@swc/core', 'classic-level', 'esbuild']),
    );
  });
});

describe('missingOptionalPackages', () => {
  it('reports an optional platform package the lock does not list', () => {
    const lock: PackageLock = {
      packages: {
        '': { optionalDependencies: {} },
        'node_modules/@swc/core': {
          version: '1.0.0',
          optionalDependencies: { '@swc/core-linux-x64-gnu': '1.0.0', '@swc/core-darwin-arm64': '1.0.0' },
        },
        'node_modules/@swc/core-linux-x64-gnu': { version: '1.0.0' },
      },
    };
    expect(missingOptionalPackages(lock)).toEqual(['node_modules/@swc/core -> @swc/core-darwin-arm64']);
  });

  it('finds a dependency where Node would: nested first, then each enclosing node_modules', () => {
    const lock: PackageLock = {
      packages: {
        'node_modules/a/node_modules/b': { version: '1.0.0', optionalDependencies: { c: '1', d: '1' } },
        'node_modules/a/node_modules/c': { version: '1.0.0' },
        'node_modules/d': { version: '1.0.0' },
      },
    };
    expect(missingOptionalPackages(lock)).toEqual([]);
  });
});
