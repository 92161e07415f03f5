import type { ErrorObject } from 'ajv';
import { parameterInvalid, parameterMissing, parameterUnknown, type StandInError } from '../errors';
import type { Params } from '../form-encoding';
import { type ContractName, requestErrors } from './schema-validator';

/** `/a/b/0` → `a[b][0]`: how Stripe names a nested parameter in `param` and messages. */
function bracketPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  const [first = '', ...rest] = segments;
  return first + rest.map((segment) => `[${segment}]`).join('');
}

function valueAt(params: Params, instancePath: string): unknown {
  let value: unknown = params;
  for (const segment of instancePath.split('/').slice(1)) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Stripe's answer to the first thing wrong. Where a parameter may take several forms (`Emptyable<T>`,
 * `string | T`) ajv reports every form's failure; an unknown key inside any form is what Stripe reports
 * first (`parameter_unknown`), then a missing required one, then the deepest invalid value.
 */
function stripeErrorFor(errors: readonly ErrorObject[], params: Params): StandInError {
  const unknown = errors.find((error) => error.keyword === 'additionalProperties');
  if (unknown !== undefined) {
    return parameterUnknown(bracketPath(unknown.instancePath, String(unknown.params.additionalProperty)));
  }
  const missing = errors.find((error) => error.keyword === 'required');
  if (missing !== undefined) {
    return parameterMissing(bracketPath(missing.instancePath, String(missing.params.missingProperty)));
  }
  const deepest = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const instancePath = deepest?.instancePath ?? '';
  const param = bracketPath(instancePath);
  const value = valueAt(params, instancePath);
  const atPath = errors.filter((error) => error.instancePath === instancePath);
  const allowed = atPath.flatMap((error) =>
    error.keyword === 'enum'
      ? (error.params.allowedValues as unknown[])
      : error.keyword === 'const'
        ? [error.params.allowedValue]
        : [],
  );
  if (
    atPath.some((error) => error.keyword === 'pattern' && String(error.params.pattern).startsWith('^-?\\d'))
  ) {
    return parameterInvalid(param, `Invalid integer: ${describe(value)}`, 'parameter_invalid_integer');
  }
  if (allowed.length === 2 && allowed.includes('true') && allowed.includes('false')) {
    return parameterInvalid(param, `Invalid boolean: ${describe(value)}`);
  }
  if (allowed.length > 0 && typeof value === 'string') {
    return parameterInvalid(param, `Invalid ${param}: must be one of ${allowed.map(String).join(', ')}`);
  }
  if (atPath.some((error) => error.keyword === 'type' && error.params.type === 'array')) {
    return parameterInvalid(param, `Invalid array: ${describe(value)}`);
  }
  if (atPath.some((error) => error.keyword === 'type' && error.params.type === 'object')) {
    return parameterInvalid(param, `Invalid object: ${describe(value)}`);
  }
  return parameterInvalid(param, `Invalid value for ${param}: ${describe(value)}`);
}

/**
 * Throws Stripe's `invalid_request_error` when `params` are not what the pinned SDK declares for the route
 * (`parameter_unknown` for a key it does not take, as Stripe answers "Received unknown parameter: x").
 */
export function checkRequestParams(name: ContractName, params: Params): void {
  const errors = requestErrors(name, params);
  if (errors !== undefined) throw stripeErrorFor(errors, params);
}
