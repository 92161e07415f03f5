import {
  invalidRequest,
  parameterInvalid,
  parameterInvalidEmpty,
  parameterMissing,
  parameterUnknown,
} from './errors';
import type { FormObject, FormValue, Params } from './form-encoding';

/**
 * What an endpoint accepts. Stripe rejects any parameter it does not know with `parameter_unknown`,
 * naming the full bracketed path (`setup_intent_data[foo]`), so every endpoint declares its shape.
 */
export type ParamSpec =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'metadata'
  /** `created`-style filters: an integer or `{gt, gte, lt, lte}`. */
  | 'range'
  /** Accepted without inspection (parameters the stand-in stores nothing for). */
  | 'anything'
  | { readonly enum: readonly string[] }
  | { readonly object: ParamShape }
  | { readonly arrayOf: ParamSpec };
export type ParamShape = Readonly<Record<string, ParamSpec>>;

export const LIST_SHAPE: ParamShape = {
  limit: 'integer',
  starting_after: 'string',
  ending_before: 'string',
  created: 'range',
};

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function childPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}[${key}]`;
}

function validateValue(value: FormValue, spec: ParamSpec, path: string): void {
  if (spec === 'anything') return;
  if (spec === 'string') {
    if (typeof value !== 'string') throw parameterInvalid(path, `Invalid string: ${describe(value)}`);
    return;
  }
  if (spec === 'integer') {
    if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
      throw parameterInvalid(path, `Invalid integer: ${describe(value)}`, 'parameter_invalid_integer');
    }
    return;
  }
  if (spec === 'boolean') {
    if (value !== 'true' && value !== 'false')
      throw parameterInvalid(path, `Invalid boolean: ${describe(value)}`);
    return;
  }
  if (spec === 'metadata') {
    if (value === '') return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw parameterInvalid(path, `Invalid hash: ${describe(value)}`);
    }
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') {
        throw parameterInvalid(childPath(path, key), `Invalid string: ${describe(entry)}`);
      }
    }
    return;
  }
  if (spec === 'range') {
    if (typeof value === 'string') validateValue(value, 'integer', path);
    else validateObject(value, { gt: 'integer', gte: 'integer', lt: 'integer', lte: 'integer' }, path);
    return;
  }
  if ('enum' in spec) {
    if (typeof value !== 'string' || !spec.enum.includes(value)) {
      throw parameterInvalid(path, `Invalid ${path}: must be one of ${spec.enum.join(', ')}`);
    }
    return;
  }
  if ('object' in spec) {
    validateObject(value, spec.object, path);
    return;
  }
  if (!Array.isArray(value)) throw parameterInvalid(path, `Invalid array: ${describe(value)}`);
  value.forEach((item, index) => {
    validateValue(item, spec.arrayOf, childPath(path, index));
  });
}

function validateObject(value: FormValue | FormValue[], shape: ParamShape, path: string): void {
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw parameterInvalid(path, `Invalid object: ${describe(value)}`);
  }
  for (const [key, entry] of Object.entries(value)) {
    const spec = shape[key];
    if (spec === undefined) throw parameterUnknown(childPath(path, key));
    validateValue(entry, spec, childPath(path, key));
  }
}

/** Throws the Stripe error for the first parameter `params` has that `shape` does not allow. */
export function validateParams(params: Params, shape: ParamShape): void {
  validateObject(params, { ...shape, expand: { arrayOf: 'string' } }, '');
}

export function optionalString(params: FormObject, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

/** A required, non-empty string parameter (`parent` names the enclosing hash in error params). */
export function requiredString(params: FormObject, key: string, parent = ''): string {
  const value = params[key];
  const path = childPath(parent, key);
  if (value === undefined) throw parameterMissing(path);
  if (value === '') throw parameterInvalidEmpty(path);
  if (typeof value !== 'string') throw parameterInvalid(path, `Invalid string: ${describe(value)}`);
  return value;
}

export function optionalInteger(params: FormObject, key: string): number | undefined {
  const value = params[key];
  return typeof value === 'string' && value !== '' ? Number.parseInt(value, 10) : undefined;
}

export function optionalObject(params: FormObject, key: string): FormObject | undefined {
  const value = params[key];
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function optionalStringArray(params: FormObject, key: string): string[] | undefined {
  const value = params[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** Strings where Stripe treats `''` as "unset": returns null for '' and undefined when absent. */
export function nullableString(params: FormObject, key: string): string | null | undefined {
  const value = optionalString(params, key);
  return value === '' ? null : value;
}

/**
 * Applies a metadata parameter the way Stripe does: `metadata=''` clears every key, and
 * `metadata[key]=''` removes that one key.
 */
export function applyMetadata(
  current: Record<string, string>,
  update: FormValue | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  if (typeof update !== 'object' || Array.isArray(update)) throw invalidRequest('Invalid metadata');
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else if (typeof value === 'string') next[key] = value;
  }
  return next;
}

export interface RangeFilter {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export function matchesRange(value: number, filter: FormValue | undefined): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'string') return value === Number.parseInt(filter, 10);
  if (Array.isArray(filter)) return true;
  const bound = (key: keyof RangeFilter): number | undefined => optionalInteger(filter, key);
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  return (
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte)
  );
}
