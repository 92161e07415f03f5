/**
 * What the API allows a browser on another origin to do, in one place for the deployed API Gateway CORS
 * configuration and the local API Gateway. A response header a page's script may read must be exposed
 * (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name): `Retry-After` on 429 and 503 answers
 * says when to try again, and `Location` on a 202 names the change's status URL; neither is safelisted.
 */
export const CORS_RULES = {
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['content-type', 'authorization'],
  exposeHeaders: ['retry-after', 'location'],
  maxAgeSeconds: 3600,
} as const;
