/**
 * Builds the OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0) of the HTTP API from API_ROUTES.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what @valibot/to-json-schema writes for that target.
 */
import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { errorCode } from '../../functions/shared/api-responses';
import { ERROR_CODES } from '../../functions/shared/error-codes';
import { CHECKOUT_API_ROUTES, STRIPE_WEBHOOK_ROUTE } from '../../functions/shared/routes';
import { API_ROUTES, type ApiResponse, type ApiRoute, NAMED_SCHEMAS } from './api-routes';
import { EXAMPLES } from './examples';

type Json = Record<string, unknown>;

/** Every route the stack and the local stack serve (functions/shared/routes.ts). */
export const SERVED_ROUTE_KEYS: readonly string[] = [...CHECKOUT_API_ROUTES, STRIPE_WEBHOOK_ROUTE];

const names = new Map<unknown, string>(Object.entries(NAMED_SCHEMAS).map(([name, schema]) => [schema, name]));
/**
 * The error-code enum is referenced, not copied, where it appears inside another schema. The converter hands
 * the override a piped schema without its pipe (a copy), so it is known by its list of options.
 */
const isErrorCodeEnum = (schema: v.GenericSchema) =>
  'options' in schema && schema.options === (errorCode as { options: unknown }).options;

function jsonSchema(schema: v.GenericSchema): JsonSchema {
  // `ignore`: transformations (a currency lower-cased) describe what is accepted, not a different shape.
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    errorMode: 'ignore',
    overrideSchema: ({ valibotSchema }) =>
      schema !== errorCode && isErrorCodeEnum(valibotSchema)
        ? { $ref: '#/components/schemas/ErrorCode' }
        : undefined,
  });
  return converted;
}

/** Extensions JSON Schema has no keyword for: each error code's meaning, as renderers show enum values. */
const SCHEMA_EXTENSIONS: Record<string, Json> = { ErrorCode: { 'x-enumDescriptions': ERROR_CODES } };

function schemaOrRef(schema: v.GenericSchema): JsonSchema {
  const name = names.get(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : jsonSchema(schema);
}

function responseObject(response: ApiResponse, example: unknown): Json {
  const bodies = response.body === undefined ? [] : [response.body].flat();
  return {
    description: response.description,
    ...(response.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }
      : {}),
    ...(response.html ? { content: { 'text/html': { schema: { type: 'string' } } } } : {}),
    ...(bodies.length > 0
      ? {
          content: {
            'application/json': {
              schema:
                bodies.length === 1
                  ? schemaOrRef(bodies[0] as v.GenericSchema)
                  : { anyOf: bodies.map(schemaOrRef) },
              ...(example === undefined ? {} : { example }),
            },
          },
        }
      : {}),
  };
}

interface PipeAction {
  type: string;
  requirement?: unknown;
}

/**
 * A query parameter arrives as text and the handler turns it into a number (`v.transform(Number)`, then its
 * bounds): to a caller it is an integer, which is what a generated client should type it as.
 */
function numberFromQuery(schema: v.GenericSchema): JsonSchema | undefined {
  const inner = (schema as { wrapped?: v.GenericSchema }).wrapped ?? schema;
  const pipe = ((inner as { pipe?: PipeAction[] }).pipe ?? []) as PipeAction[];
  const transformAt = pipe.findIndex((action) => action.type === 'transform');
  if (transformAt === -1) return undefined;
  const after = pipe.slice(transformAt + 1);
  const bound = (type: string) => after.find((action) => action.type === type)?.requirement;
  const minimum = bound('min_value');
  const maximum = bound('max_value');
  if (typeof minimum !== 'number' && typeof maximum !== 'number') return undefined;
  return {
    type: 'integer',
    ...(typeof minimum === 'number' ? { minimum } : {}),
    ...(typeof maximum === 'number' ? { maximum } : {}),
  };
}

function parameters(route: ApiRoute): Json[] {
  const path = Object.entries(route.pathParameters ?? {}).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema: jsonSchema(schema),
  }));
  const query = Object.entries(route.query?.entries ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: schema.type !== 'optional',
    schema: numberFromQuery(schema) ?? jsonSchema(schema),
  }));
  const headers = Object.entries(route.headers ?? {}).map(([name, header]) => ({
    name,
    in: 'header',
    required: header.required,
    description: header.description,
    schema: jsonSchema(header.schema),
  }));
  return [...path, ...query, ...headers];
}

function operation(route: ApiRoute): Json {
  const examples = EXAMPLES[route.operationId];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth === 'bearer'
      ? { security: [{ bearerAuth: [] }] }
      : route.auth === 'backend'
        ? { security: [{ awsSigV4: [] }, { bearerAuth: [] }] }
        : { security: [] }),
    ...(parameters(route).length > 0 ? { parameters: parameters(route) } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            ...(route.body.description ? { description: route.body.description } : {}),
            content: {
              [route.body.contentType]: {
                schema: schemaOrRef(route.body.schema),
                ...(examples?.request === undefined ? {} : { example: examples.request }),
              },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        responseObject(response, examples?.responses[Number(status)]),
      ]),
    ),
  };
}

export function buildOpenApiDocument(routes: ApiRoute[] = API_ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const [method = '', path = ''] = route.routeKey.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stripe setup-mode service',
      version: '0.1.0',
      description:
        'Collect and update a customer’s saved payment method with Stripe Checkout in setup mode, and make it the default for future invoices. Errors are `{ "error": { "code", "message" } }`; API Gateway’s own answers (its authorizer’s 401, throttling) are `{ "message" }`.',
    },
    servers: [
      { url: '/', description: 'The HTTP API’s invoke URL (stack output `ApiUrl`), or `npm run dev`.' },
    ],
    paths,
    components: {
      securitySchemes: {
        awsSigV4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 with credentials allowed `execute-api:Invoke` on the route (API Gateway’s IAM authorization): the SaaS’s backend.',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT from the SaaS’s identity provider, verified by API Gateway’s JWT authorizer (issuer, audience, RSA signature); the Stripe customer is its `stripe_customer_id` claim (configurable).',
        },
      },
      schemas: Object.fromEntries(
        Object.entries(NAMED_SCHEMAS).map(([name, schema]) => [
          name,
          { ...jsonSchema(schema), ...SCHEMA_EXTENSIONS[name] },
        ]),
      ),
    },
  };
}
