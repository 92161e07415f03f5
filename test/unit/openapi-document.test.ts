import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { JWT_AUTHORIZED_ROUTES } from '../../functions/shared/routes';
import { buildOpenApiDocument, SERVED_ROUTE_KEYS } from '../../scripts/openapi/document';
import { OPENAPI_DOCUMENT_FILE } from '../support/openapi';

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
        security: JWT_AUTHORIZED_ROUTES.includes(key) ? [{ bearerAuth: [] }] : [],
      });
    }
  });

  it('describes every 4xx/5xx as the service’s error shape, and the authorizer’s 401 as API Gateway’s', () => {
    for (const key of SERVED_ROUTE_KEYS) {
      const [method = '', path = ''] = key.split(' ');
      const { responses } = committed.paths[path][method.toLowerCase()];
      for (const [status, response] of Object.entries(responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
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
