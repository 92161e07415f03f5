/*
 * `npm run openapi`: writes docs/openapi.json from the route list (scripts/openapi/api-routes.ts).
 * `npm run openapi -- --check` exits 1 when the committed document is stale (the test suite checks it too).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildOpenApiDocument } from './openapi/document';

export const OPENAPI_FILE = path.join(__dirname, '..', 'docs', 'openapi.json');

const document = buildOpenApiDocument();
if (process.argv.includes('--check')) {
  const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  if (!isDeepStrictEqual(committed, document)) {
    process.stderr.write('docs/openapi.json is stale: run `npm run openapi`\n');
    process.exit(1);
  }
  process.stdout.write('docs/openapi.json is current\n');
} else {
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
}
