import { openApiViolations } from './openapi';

/**
 * Small fetch wrappers: tests speak HTTP to the local API exactly as a frontend or Stripe would. Every answer
 * of the API is checked against docs/openapi.json, so the document cannot drift from what the service does.
 */

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON fields
  json: any;
}

export async function send(url: string, init: RequestInit = {}): Promise<HttpReply> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  const violations = openApiViolations({
    method: init.method ?? 'GET',
    url: response.url || url,
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
  });
  if (violations.length > 0)
    throw new Error(`answer not as docs/openapi.json says:\n${violations.join('\n')}`);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function postForm(url: string, fields: Record<string, string>): Promise<HttpReply> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}
