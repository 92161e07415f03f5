import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks an HTTP answer against docs/openapi.json with Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect): the
 * status must be one the operation documents, and a JSON body must match that response's schema. Answers
 * for paths or methods the document does not describe (the demo pages, the Stripe stand-in, API Gateway's
 * own 404 for an unrouted method) are not the API's and are left alone.
 */
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export const OPENAPI_DOCUMENT_FILE = path.join(__dirname, '..', '..', 'docs', 'openapi.json');
const COMPONENTS_ID = 'https://stripe-setup-mode-service.local/components';

let compiled:
  | { document: OpenApiDocument; ajv: Ajv2020; validators: Map<string, ValidateFunction> }
  | undefined;

function openApi() {
  if (compiled) return compiled;
  const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenApiDocument;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(rewriteRefs({ $id: COMPONENTS_ID, $defs: document.components.schemas }) as object);
  compiled = { document, ajv, validators: new Map() };
  return compiled;
}

/** `#/components/schemas/X` in the document is `<components>#/$defs/X` to Ajv. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string'
        ? inner.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`)
        : rewriteRefs(inner),
    ]),
  );
}

function findOperation(document: OpenApiDocument, method: string, pathname: string) {
  for (const [template, operations] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^/]+\}/g, '[^/]+')}$`);
    const operation = operations[method.toLowerCase()];
    if (pattern.test(pathname) && operation) return { template, operation };
  }
  return undefined;
}

/** What in `value` contradicts `schema`, a schema of the document (its `$ref`s resolve to the components). */
export function schemaViolations(schema: unknown, value: unknown): string[] {
  const { ajv } = openApi();
  const validate = ajv.compile(rewriteRefs(schema) as object);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || 'value'} ${error.message}`);
}

export interface AnswerToCheck {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  text: string;
}

/** What in the answer contradicts the document; empty when it conforms or is not the API's. */
export function openApiViolations(answer: AnswerToCheck): string[] {
  const { document, ajv, validators } = openApi();
  const found = findOperation(document, answer.method, new URL(answer.url).pathname);
  if (!found) return [];
  const where = `${answer.method} ${found.template} → ${answer.status}`;
  const response = found.operation.responses[String(answer.status)] ?? found.operation.responses.default;
  if (!response) return [`${where}: status not documented`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema && response.content?.['text/html'])
    return answer.contentType?.startsWith('text/html')
      ? []
      : [`${where}: content-type ${answer.contentType}`];
  if (!schema)
    return answer.text === '' ? [] : [`${where}: documented without a body, got ${answer.text.slice(0, 80)}`];
  if (!answer.contentType?.startsWith('application/json'))
    return [`${where}: content-type ${answer.contentType}`];
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [`${where}: body is not JSON`];
  }
  const key = `${found.template} ${answer.method} ${answer.status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema) as object);
    validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || 'body'} ${error.message}`);
}
