import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';

/** The committed document (`npm run openapi` writes it; a test fails when it is stale). */
export const OPENAPI_FILE = path.join(__dirname, '..', 'docs', 'openapi.json');

export function readOpenApiDocument(): string {
  return readFileSync(OPENAPI_FILE, 'utf8');
}

export const API_REFERENCE_PATH = '/api-reference';

/**
 * `/api-reference`: Swagger UI (swagger-ui-dist, maintained by SmartBear; OpenAPI 3.1 since 5.0) rendering
 * `/openapi.json`, its files served from node_modules, so the page works offline. Everything is same-origin
 * and the CSP says so: no inline script, nothing from another host.
 */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayOperationId: true,
  persistAuthorization: false,
});
`;
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Stripe setup-mode service</title>
<link rel="stylesheet" href="${API_REFERENCE_PATH}/assets/swagger-ui.css">
</head>
<body>
<noscript><p>This page needs JavaScript. The document itself: <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<div id="reference"></div>
<script src="${API_REFERENCE_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="${API_REFERENCE_PATH}/init.js"></script>
</body>
</html>
`;
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Serves the page and its files; false when the path is not the reference's. */
export function serveApiReference(pathname: string, response: ServerResponse): boolean {
  const send = (contentType: string, body: string | Buffer) => {
    response.writeHead(200, {
      'content-type': contentType,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    response.end(body);
  };
  if (pathname === API_REFERENCE_PATH) {
    send('text/html; charset=utf-8', PAGE);
    return true;
  }
  if (pathname === `${API_REFERENCE_PATH}/init.js`) {
    send('text/javascript; charset=utf-8', INIT_SCRIPT);
    return true;
  }
  const asset = pathname.startsWith(`${API_REFERENCE_PATH}/assets/`)
    ? pathname.slice(`${API_REFERENCE_PATH}/assets/`.length)
    : undefined;
  const contentType = asset === undefined ? undefined : ASSETS[asset];
  if (asset === undefined || contentType === undefined) return false;
  send(contentType, readFileSync(path.join(SWAGGER_UI_DIR, asset)));
  return true;
}
