import { invalidRequest, parameterInvalid, parameterInvalidEmpty, parameterMissing } from './errors';
import type { FormObject, FormValue } from './form-encoding';

/**
 * Readers of decoded form parameters for the handlers. Which parameters an endpoint takes, and their types,
 * is not decided here: the pinned SDK's declarations are checked before any handler runs (`contract/`).
 */

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function childPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}[${key}]`;
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
