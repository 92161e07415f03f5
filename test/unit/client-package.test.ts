import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * packages/client as it is published. Oracles: npm's own `npm pack --dry-run --json` (what the tarball
 * would hold) and openapi-typescript's output for docs/openapi.json (the types must be what it generates).
 */
const root = path.join(__dirname, '..', '..');
const clientDir = path.join(root, 'packages', 'client');

describe('packages/client', () => {
  it('its types are what `npm run client-types` generates from docs/openapi.json (else: run it)', () => {
    const run = () =>
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/client-types.ts', '--check'], {
        cwd: root,
        stdio: 'pipe',
      }).toString();
    expect(run()).toContain('is current');
  });

  it('packs with the built code and its declarations, and depends on nothing at run time', () => {
    expect(packedFiles(clientDir)).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/api-error.js',
        'dist/waiting.js',
        'dist/api-types.d.ts',
      ]),
    );
  });
});

/** What `npm pack` would put in the tarball (its prepack builds dist/), as npm itself lists it. */
function packedFiles(dir: string): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
    cwd: dir,
    stdio: 'pipe',
  }).toString();
  const [packed] = JSON.parse(output.slice(output.indexOf('[')));
  const files: string[] = packed.files.map((file: { path: string }) => file.path).sort();
  // Only built code ships: no TypeScript source beside the declarations.
  expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  return files;
}

describe('packages/elements', () => {
  it('packs its built elements, depending only on the client', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(root, 'packages', 'elements', 'package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies)).toEqual(['@setup-mode-service/client']);
    expect(packedFiles(path.join(root, 'packages', 'elements'))).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/saved-payment-methods.js']),
    );
  });
});

describe('packages/client manifest', () => {
  it('depends on nothing at run time', () => {
    const manifest = JSON.parse(readFileSync(path.join(clientDir, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.private).toBeUndefined();
  });
});
