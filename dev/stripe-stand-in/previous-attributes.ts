/**
 * An update's `data.previous_attributes`: "Object containing the names of the updated attributes and their
 * values prior to the event (only included in events of type `*.updated`). If an array attribute has any
 * updated elements, this object contains the entire array." (https://docs.stripe.com/api/events/object).
 * A changed nested object is given whole: the SDK declares `previous_attributes` as a shallow
 * `Partial<Customer>` (Events.d.ts), so its nested objects must be complete to match the declaration.
 */
export function previousAttributes(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const changed: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[key];
    const now = after[key];
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    changed[key] = old ?? null;
  }
  return Object.keys(changed).length > 0 ? changed : undefined;
}

/** A snapshot to diff against after an update. */
export function snapshotOf(object: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(object));
}
