import { invalidRequest } from './errors';
import type { StandInStore } from './store';

/** Fields holding an id that Stripe lets clients expand into the full object. */
const EXPANDABLE_FIELDS = new Set([
  'customer',
  'payment_method',
  'default_payment_method',
  'setup_intent',
  'subscription',
  'latest_invoice',
  'latest_attempt',
  'schedule',
]);

type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cannotExpand(path: string): never {
  throw invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
}

function expandPath(target: JsonObject, segments: string[], fullPath: string, store: StandInStore): void {
  const [field, ...rest] = segments;
  if (field === undefined) return;
  // A deleted customer keeps only id/object/deleted; Stripe leaves such stubs as they are.
  if (target.deleted === true) return;
  if (field === 'data' && Array.isArray(target.data) && target.object === 'list') {
    for (const item of target.data) if (isJsonObject(item)) expandPath(item, rest, fullPath, store);
    return;
  }
  if (!(field in target)) cannotExpand(fullPath);
  let value = target[field];
  if (value === null) return;
  if (typeof value === 'string') {
    if (!EXPANDABLE_FIELDS.has(field)) cannotExpand(fullPath);
    const found = store.findById(value);
    if (found === undefined) return;
    value = JSON.parse(JSON.stringify(found));
    target[field] = value;
  }
  if (rest.length === 0) return;
  if (!isJsonObject(value)) cannotExpand(fullPath);
  expandPath(value, rest, fullPath, store);
}

/**
 * Replaces ids with their objects along each dotted `expand` path (`setup_intent.payment_method`,
 * `data.customer` for lists). `serialized` must be a copy: it is modified in place.
 */
export function expandResponse(serialized: object, paths: readonly string[], store: StandInStore): void {
  if (paths.length > 0 && !isJsonObject(serialized)) return;
  // Shorter paths first, so `setup_intent` is expanded before `setup_intent.payment_method` walks it.
  const ordered = [...paths].sort((a, b) => a.split('.').length - b.split('.').length);
  for (const path of ordered) {
    if (path.split('.').length > 4) {
      throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, {
        param: 'expand',
      });
    }
    expandPath(serialized as JsonObject, path.split('.'), path, store);
  }
}
