/*
 * `npm run client-types`: writes packages/client/src/api-types.ts from docs/openapi.json with
 * openapi-typescript. `npm run client-types -- --check` exits 1 when the committed types are stale (the test
 * suite checks it too), so the client cannot drift from the document, nor the document from the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { clientTypesSource } from './client-types/generate';

const TYPES_FILE = path.join(__dirname, '..', 'packages', 'client', 'src', 'api-types.ts');

async function main(): Promise<void> {
  const generated = await clientTypesSource();
  if (process.argv.includes('--check')) {
    if (readFileSync(TYPES_FILE, 'utf8') !== generated) {
      process.stderr.write('packages/client/src/api-types.ts is stale: run `npm run client-types`\n');
      process.exit(1);
    }
    process.stdout.write('packages/client/src/api-types.ts is current\n');
    return;
  }
  writeFileSync(TYPES_FILE, generated);
  process.stdout.write(`wrote ${path.relative(process.cwd(), TYPES_FILE)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
