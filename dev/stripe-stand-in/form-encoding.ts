/** A decoded form value: the SDK sends every scalar as a string, nesting as `a[b]` and arrays as `a[0]`. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}
export type Params = FormObject;

export class FormDecodeError extends Error {
  constructor(readonly key: string) {
    super(`Invalid parameter structure for '${key}': it is used both as a value and as a hash or array.`);
    this.name = 'FormDecodeError';
  }
}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

function decodeComponent(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function splitKey(key: string): string[] {
  const match = KEY_PATTERN.exec(key);
  if (match === null) return [key];
  const [, base = key, brackets = ''] = match;
  const segments = [...brackets.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return [base, ...segments];
}

function isContainer(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}

function assign(root: FormObject, segments: string[], value: string, fullKey: string): void {
  let container = root;
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i] ?? '';
    // `a[]=x` appends, like qs/Rack: the next index is the number of entries so far.
    const segment = raw === '' && i > 0 ? String(Object.keys(container).length) : raw;
    if (segment === '__proto__') throw new FormDecodeError(fullKey);
    const isLast = i === segments.length - 1;
    const existing = container[segment];
    if (isLast) {
      if (existing !== undefined && typeof existing !== 'string') throw new FormDecodeError(fullKey);
      container[segment] = value;
      return;
    }
    if (existing === undefined) {
      const child: FormObject = {};
      container[segment] = child;
      container = child;
    } else if (isContainer(existing)) {
      container = existing;
    } else {
      throw new FormDecodeError(fullKey);
    }
  }
}

/** Objects whose keys are all array indices become (compacted) arrays, as Stripe's Rack parser does. */
function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(arraysFromIndexedObjects);
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const key of keys) converted[key] = arraysFromIndexedObjects(value[key] as FormValue);
  if (keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => converted[String(index)] as FormValue);
  }
  return converted;
}

/** Decodes an `application/x-www-form-urlencoded` body or query string with bracketed keys. */
export function decodeForm(encoded: string): Params {
  const root: FormObject = {};
  for (const pair of encoded.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const key = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeComponent(pair.slice(separator + 1));
    assign(root, splitKey(key), value, key);
  }
  const decoded = arraysFromIndexedObjects(root);
  return isContainer(decoded) ? decoded : {};
}
