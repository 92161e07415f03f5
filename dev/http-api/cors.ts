import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_RULES } from '../../functions/shared/cors-rules';

export interface CorsOptions {
  /** Origins as a browser sends them in `Origin` (normalised: scheme://host[:port]). */
  allowedOrigins: readonly string[];
}

/**
 * CORS as an HTTP API with a CORS configuration answers it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): API Gateway answers every
 * preflight `OPTIONS` itself, whatever the routes, and adds the configured headers to the integration's
 * responses for an allowed `Origin`. An origin not listed gets no CORS headers, so the browser refuses the
 * page's request. The rules are the deployed ones (functions/shared/cors-rules.ts).
 */
export function answerCors(
  request: IncomingMessage,
  response: ServerResponse,
  options: CorsOptions,
): 'preflight answered' | 'continue' {
  const origin = request.headers.origin;
  const allowed = typeof origin === 'string' && options.allowedOrigins.includes(origin);
  const preflight =
    request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method'];
  if (preflight) {
    response.writeHead(204, {
      vary: 'origin',
      ...(allowed
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-methods': CORS_RULES.allowMethods.join(','),
            'access-control-allow-headers': CORS_RULES.allowHeaders.join(','),
            'access-control-expose-headers': CORS_RULES.exposeHeaders.join(','),
            'access-control-max-age': String(CORS_RULES.maxAgeSeconds),
          }
        : {}),
    });
    response.end();
    return 'preflight answered';
  }
  if (allowed) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', CORS_RULES.exposeHeaders.join(','));
    response.setHeader('vary', 'origin');
  }
  return 'continue';
}
