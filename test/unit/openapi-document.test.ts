import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ERROR_CODES } from '../../functions/shared/error-codes';
import { BACKEND_ROUTES, JWT_AUTHORIZED_ROUTES, UPDATE_LINK_ROUTE } from '../../functions/shared/routes';
import { buildOpenApiDocument, SERVED_ROUTE_KEYS } from '../../scripts/openapi/document';
import { OPENAPI_DOCUMENT_FILE, schemaViolations } from '../support/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the document is arbitrary JSON read back for assertions
type Json = any;
const committed: Json = JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8'));

/** Oracle: the OpenAPI Initiative's JSON Schema for 3.1 documents, as @seriousme/openapi-schema-validator ships it. */
function openApiValidation(document: unknown): { valid: boolean; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(process.argv[1]));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));`;
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(document)],
    {
      cwd: __dirname,
    },
  ).toString();
  const result = JSON.parse(output);
  expect(result.version).toBe('3.1');
  return result;
}

const operations = (document: Json): string[] =>
  Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );

describe('docs/openapi.json', () => {
  it('is what `npm run openapi` generates from the route list and the handlers’ schemas (else: run it)', () => {
    expect(committed).toEqual(buildOpenApiDocument());
  });

  it('is a valid OpenAPI 3.1 document, and the validator does refuse a broken one', () => {
    expect(openApiValidation(committed)).toEqual(expect.objectContaining({ valid: true }));
    const broken = structuredClone(committed);
    delete broken.paths['/checkout-sessions'].post.responses['201'].description;
    expect(openApiValidation(broken).valid).toBe(false);
  });

  it('documents exactly the routes the stack serves', () => {
    expect(operations(committed).sort()).toEqual([...SERVED_ROUTE_KEYS].sort());
  });

  it('puts the bearer JWT scheme on the routes behind API Gateway’s JWT authorizer, and only there', () => {
    expect(committed.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
    for (const key of SERVED_ROUTE_KEYS) {
      const [method = '', path = ''] = key.split(' ');
      const { security } = committed.paths[path][method.toLowerCase()];
      expect({ key, security }).toEqual({
        key,
        security: JWT_AUTHORIZED_ROUTES.includes(key)
          ? [{ bearerAuth: [] }]
          : BACKEND_ROUTES.includes(key)
            ? [{ awsSigV4: [] }, { bearerAuth: [] }]
            : [],
      });
    }
  });

  it('describes every 4xx/5xx as the service’s error shape, and the authorizer’s 401 as API Gateway’s', () => {
    for (const key of SERVED_ROUTE_KEYS) {
      const [method = '', path = ''] = key.split(' ');
      const { responses } = committed.paths[path][method.toLowerCase()];
      for (const [status, response] of Object.entries(responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        // The update link's refusals are pages for a person who clicked a link in an email.
        if (key === UPDATE_LINK_ROUTE && (status === '404' || status === '410')) {
          expect(Object.keys(response.content)).toEqual(['text/html']);
          continue;
        }
        const schema = response.content['application/json'].schema;
        const refs = schema.anyOf ? schema.anyOf.map((one: Json) => one.$ref) : [schema.$ref];
        expect(refs).toContain('#/components/schemas/Error');
        if (status === '401' && JWT_AUTHORIZED_ROUTES.includes(key)) {
          expect(refs).toContain('#/components/schemas/GatewayMessage');
        }
      }
    }
  });
});

/** Every TypeScript file under a folder of the repository. */
function sourceFiles(folder: string): string[] {
  const root = path.join(__dirname, '..', '..', folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(root, name))
    .filter((file) => file.endsWith('.ts') && statSync(file).isFile());
}

/**
 * The codes the code itself answers, read from the source rather than copied here: every literal code given
 * to a ServiceError (functions/shared/errors.ts) and every `error: { code }` body the local stack writes.
 */
function codesAnsweredInSource(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /new ServiceError\(\s*\d{3},\s*'([a-z_]+)'/g,
    /error: \{\s*code: '([a-z_]+)'/g,
    // The local stack's own routes (`/_dev/token`) answer through an `error(status, code, message)` helper.
    /\berror\(\s*\d{3},\s*'([a-z_]+)'/g,
  ];
  for (const file of [...sourceFiles('functions'), ...sourceFiles('dev')]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.add(match[1] as string);
  }
  return found;
}

describe('the ErrorCode schema', () => {
  const errorCode = committed.components.schemas.ErrorCode;

  it('is the errors module’s catalogue, each code with its description in x-enumDescriptions', () => {
    expect(errorCode.enum).toEqual(Object.keys(ERROR_CODES));
    expect(Object.keys(errorCode['x-enumDescriptions'])).toEqual(errorCode.enum);
    for (const description of Object.values(errorCode['x-enumDescriptions'])) {
      expect(description).toEqual(expect.stringMatching(/\w{3,}/));
    }
  });

  it('lists every code the source answers (a code answered but missing here fails)', () => {
    const answered = codesAnsweredInSource();
    // The scan itself must find the codes it is meant to find, or this test could pass on nothing.
    for (const known of [
      'payment_method_in_use',
      'invalid_signature',
      'host_not_allowed',
      'customer_not_allowed',
    ]) {
      expect(answered.has(known)).toBe(true);
    }
    const missing = [...answered].filter((code) => !errorCode.enum.includes(code));
    expect(missing).toEqual([]);
  });

  it('is what every error body’s code refers to, so an answer with another code breaks the suite', () => {
    expect(committed.components.schemas.Error.properties.error.properties.code.$ref).toBe(
      '#/components/schemas/ErrorCode',
    );
    const error = { $ref: '#/components/schemas/Error' };
    expect(schemaViolations(error, { error: { code: 'payment_method_in_use', message: 'x' } })).toEqual([]);
    expect(schemaViolations(error, { error: { code: 'made_up_code', message: 'x' } })).not.toEqual([]);
  });
});

describe('examples', () => {
  const operationsOf = (document: Json): [string, Json][] =>
    Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([where, methods]) =>
      Object.entries(methods).map(([method, op]): [string, Json] => [`${method.toUpperCase()} ${where}`, op]),
    );

  it('every route has an example request body and an example of each success answer with a body', () => {
    for (const [key, op] of operationsOf(committed)) {
      for (const media of Object.values((op.requestBody?.content ?? {}) as Record<string, Json>)) {
        expect({ key, example: media.example !== undefined }).toEqual({ key, example: true });
      }
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const media = response.content?.['application/json'];
        if (Number(status) >= 300 || !media) continue;
        expect({ key, status, example: media.example !== undefined }).toEqual({ key, status, example: true });
      }
    }
  });

  it('every example matches its own schema', () => {
    let checked = 0;
    for (const [key, op] of operationsOf(committed)) {
      const media = [
        ...Object.values((op.requestBody?.content ?? {}) as Record<string, Json>),
        ...Object.values(op.responses as Record<string, Json>).map((r) => r.content?.['application/json']),
      ].filter((one) => one?.example !== undefined);
      for (const one of media) {
        expect({ key, problems: schemaViolations(one.schema, one.example) }).toEqual({ key, problems: [] });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});
