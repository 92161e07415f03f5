/** What a route entry of the OpenAPI document is made of, and the answers many routes share. */
import type * as v from 'valibot';
import { errorBody, gatewayMessage } from '../../functions/shared/api-responses';

export type Schema = v.GenericSchema;

export interface ApiResponse {
  description: string;
  /** JSON body; none for a redirect. A list means any one of them (the service's error or API Gateway's). */
  body?: Schema | Schema[];
  headers?: Record<string, string>;
  /** An HTML page for a person (an update link that cannot be used), not JSON. */
  html?: true;
}

export interface ApiRoute {
  /** API Gateway's route key, as in functions/shared/routes.ts. */
  routeKey: string;
  operationId: string;
  summary: string;
  description?: string;
  /** `bearer`: API Gateway's JWT authorizer checks `Authorization: Bearer <JWT>` before the function runs. */
  auth: 'bearer' | 'none' | 'backend';
  pathParameters?: Record<string, Schema>;
  /** An object schema; each entry is one query parameter. */
  query?: v.ObjectSchema<v.ObjectEntries, undefined> | v.StrictObjectSchema<v.ObjectEntries, undefined>;
  headers?: Record<string, { schema: Schema; required: boolean; description: string }>;
  body?: { contentType: string; schema: Schema; description?: string };
  responses: Record<number, ApiResponse>;
}

export const error = (description: string): ApiResponse => ({ description, body: errorBody });
export const retryAfter = { 'Retry-After': 'Seconds to wait before trying again.' };
/** Answered by API Gateway itself on the routes behind its JWT authorizer, or by the function. */
export const unauthorized: ApiResponse = {
  description:
    'Missing, malformed, expired or foreign token (API Gateway answers `{"message":"Unauthorized"}`).',
  body: [gatewayMessage, errorBody],
};
