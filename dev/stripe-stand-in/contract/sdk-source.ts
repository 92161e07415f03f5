import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where the pinned SDK lives; its declarations are the stand-in's contract. */
// The package's `exports` hide package.json, so go from its entry point up to the package root.
export const STRIPE_PACKAGE_DIR = path.resolve(path.dirname(require.resolve('stripe')), '..');

/** What the committed schemas were generated from. A difference means `npm run stripe-schemas` is due. */
export interface SdkSource {
  /** `node_modules/stripe/package.json` version. */
  stripeVersion: string;
  /** `node_modules/stripe/OPENAPI_VERSION`: the spec revision the declarations were generated from. */
  openApiVersion: string;
  /** The API version the SDK pins (`Stripe-Version` it sends). */
  apiVersion: string;
  /** SHA-256 over every `cjs/**\/*.d.ts` of the package, by relative path. */
  declarationsSha256: string;
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export function readSdkSource(): SdkSource {
  const cjs = path.join(STRIPE_PACKAGE_DIR, 'cjs');
  const hash = createHash('sha256');
  for (const file of declarationFiles(cjs)) {
    hash.update(path.relative(cjs, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  const manifest = JSON.parse(readFileSync(path.join(STRIPE_PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  const apiVersionSource = readFileSync(path.join(cjs, 'apiVersion.js'), 'utf8');
  const apiVersion = /ApiVersion = '([^']+)'/.exec(apiVersionSource)?.[1];
  if (apiVersion === undefined) throw new Error('ApiVersion not found in stripe/cjs/apiVersion.js');
  return {
    stripeVersion: manifest.version,
    openApiVersion: readFileSync(path.join(STRIPE_PACKAGE_DIR, 'OPENAPI_VERSION'), 'utf8').trim(),
    apiVersion,
    declarationsSha256: hash.digest('hex'),
  };
}
