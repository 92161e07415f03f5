import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { missingOptionalPackages, type PackageLock } from '../support/lock-file';

// Oracle: npm's own rule, as `npm ci` applies it ("Missing: @biomejs/cli-darwin-arm64@2.6.8 from lock file"):
// every optional dependency named by a locked package must itself be locked, whatever the platform.
describe('package-lock.json', () => {
  const lock = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'package-lock.json'), 'utf8'),
  ) as PackageLock;

  it('is a lockfileVersion 3 lock', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it('lists every optional platform package of every dependency, so npm ci works on any machine', () => {
    expect(missingOptionalPackages(lock)).toEqual([]);
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
