import * as path from 'node:path';
import { build } from 'esbuild';

const PACKAGES = path.join(__dirname, '..', 'packages');

let bundled: Promise<string> | undefined;

/**
 * packages/elements (with the client) as one ES module for the demo pages, built once per process from the
 * TypeScript sources with esbuild, so the demo always runs the elements as they are in the tree.
 */
export function elementsBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [path.join(PACKAGES, 'elements', 'src', 'index.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    alias: { '@setup-mode-service/client': path.join(PACKAGES, 'client', 'src', 'index.ts') },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
}
