import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from './html';

/** The committed document (`npm run openapi` writes it; a test fails when it is stale). */
export const OPENAPI_FILE = path.join(__dirname, '..', 'docs', 'openapi.json');

export function readOpenApiDocument(): string {
  return readFileSync(OPENAPI_FILE, 'utf8');
}

// biome-ignore lint/suspicious/noExplicitAny: walks an arbitrary OpenAPI document
type Json = any;

const code = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

const refName = (schema: Json): string | undefined =>
  typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;

function schemaHtml(schema: Json): string {
  if (schema?.anyOf) return schema.anyOf.map(schemaHtml).join(' <em>or</em> ');
  const name = refName(schema);
  return name ? `<a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a>` : code(schema);
}

function operationHtml(method: string, route: string, operation: Json): string {
  const parameters: Json[] = operation.parameters ?? [];
  const body = operation.requestBody?.content as Record<string, { schema: Json }> | undefined;
  const secured = (operation.security ?? []).length > 0;
  return `<section class="operation" id="${escapeHtml(operation.operationId)}">
  <h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(route)}</code></h3>
  <p><strong>${escapeHtml(operation.summary)}</strong></p>
  ${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
  <p>Auth: ${secured ? '<code>Authorization: Bearer &lt;JWT&gt;</code>' : 'none in the header (see above)'}</p>
  ${
    parameters.length > 0
      ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${parameters
          .map(
            (parameter) =>
              `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td><td>${parameter.required ? 'yes' : 'no'}</td><td>${escapeHtml(parameter.description ?? '')}${code(parameter.schema)}</td></tr>`,
          )
          .join('')}</table>`
      : ''
  }
  ${
    body
      ? Object.entries(body)
          .map(
            ([type, media]) => `<p>Body (<code>${escapeHtml(type)}</code>): ${schemaHtml(media.schema)}</p>`,
          )
          .join('')
      : ''
  }
  <table><tr><th>status</th><th>meaning</th><th>body</th></tr>${Object.entries(
    operation.responses as Record<string, Json>,
  )
    .map(
      ([status, response]) =>
        `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(response.description)}${
          response.headers
            ? ` Headers: ${Object.keys(response.headers)
                .map((name) => `<code>${escapeHtml(name)}</code>`)
                .join(', ')}.`
            : ''
        }</td><td>${response.content ? schemaHtml(response.content['application/json'].schema) : '—'}</td></tr>`,
    )
    .join('')}</table>
</section>`;
}

/** A readable, self-contained page of the OpenAPI document: no script, no stylesheet or font from elsewhere. */
export function renderApiReferencePage(documentText: string): string {
  const document: Json = JSON.parse(documentText);
  const operations = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(
    ([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => operationHtml(method, route, operation)),
  );
  const schemes = Object.entries(document.components.securitySchemes as Record<string, Json>)
    .map(
      ([name, scheme]) => `<p><code>${escapeHtml(name)}</code>: ${escapeHtml(scheme.description ?? '')}</p>`,
    )
    .join('');
  const schemas = Object.entries(document.components.schemas as Record<string, Json>)
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${code(schema)}</section>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)}: HTTP API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
  pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; margin: .25rem 0; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  .operation { border-top: 2px solid #d0d7de; margin-top: 1.5rem; }
  .method { color: #fff; border-radius: 3px; padding: 0 .4rem; font-size: 13px; }
  .get { background: #1f6feb; } .post { background: #1a7f37; }
</style></head>
<body>
<h1>${escapeHtml(document.info.title)} <small>OpenAPI ${escapeHtml(document.openapi)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a>.</p>
<h2>Authentication</h2>${schemes}
<h2>Routes</h2>${operations.join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
