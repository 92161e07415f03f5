/**
 * The SDK's `*Params` declarations type a request before form encoding; the stand-in sees it after. The
 * SDK's encoder (`stringifyRequestData` in node_modules/stripe/cjs/utils.js) sends every scalar as a
 * string, and `null` as '' (which Stripe reads as "unset"). This rewrites a params schema into the schema of
 * the decoded form: numbers become numeric strings, booleans `'true'`/`'false'`, `null` the empty string.
 */
type JsonSchema = { [keyword: string]: unknown };

const NUMERIC_STRING: JsonSchema = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' };
const BOOLEAN_STRING: JsonSchema = { type: 'string', enum: ['true', 'false'] };
const NULL_STRING: JsonSchema = { type: 'string', const: '' };

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarAsString(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : value === null
      ? ''
      : value;
}

function decodedType(type: string): JsonSchema {
  if (type === 'number' || type === 'integer') return NUMERIC_STRING;
  if (type === 'boolean') return BOOLEAN_STRING;
  if (type === 'null') return NULL_STRING;
  return { type };
}

function decodedTypes(schema: JsonSchema): JsonSchema {
  const { type, ...rest } = schema;
  if (type === undefined) return schema;
  const types = (Array.isArray(type) ? type : [type]) as string[];
  // A string accepts what null, numbers and booleans decode to.
  const alternatives = types.includes('string')
    ? types.filter((t) => t === 'object' || t === 'array' || t === 'string').map(decodedType)
    : types.map(decodedType);
  if (alternatives.length === 1) return { ...rest, ...alternatives[0] };
  return { ...rest, anyOf: alternatives };
}

export function formDecodedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(formDecodedSchema);
  if (!isSchema(schema)) return schema;
  const converted: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'const') converted.const = scalarAsString(value);
    else if (keyword === 'enum' && Array.isArray(value))
      converted.enum = [...new Set(value.map(scalarAsString))];
    else if (keyword === 'properties' || keyword === 'definitions') {
      converted[keyword] = Object.fromEntries(
        Object.entries(value as JsonSchema).map(([name, child]) => [name, formDecodedSchema(child)]),
      );
    } else if (typeof value === 'object' && value !== null) converted[keyword] = formDecodedSchema(value);
    else converted[keyword] = value;
  }
  return decodedTypes(converted);
}
