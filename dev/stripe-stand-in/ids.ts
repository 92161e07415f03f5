import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string; 248 is the largest multiple of 62 below 256, so bytes above it are skipped to avoid bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

let stableIds: { seed: string; prefixes: ReadonlySet<string>; counts: Map<string, number> } | undefined;

/**
 * `npm run dev`: the objects of the given types get the same ids on every run (the n-th customer created is
 * always the same `cus_…`), so an app pointed at the local stack can keep its demo customer ids. Other ids
 * (sessions, SetupIntents, events) stay random. Process-wide: only the local stack's entry point calls it.
 */
export function useStableIds(seed: string, prefixes: readonly string[]): void {
  stableIds = { seed, prefixes: new Set(prefixes), counts: new Map() };
}

/** Stripe-style object id: a type prefix plus 24 random base62 characters. */
export function newId(prefix: string): string {
  if (stableIds?.prefixes.has(prefix)) {
    const count = (stableIds.counts.get(prefix) ?? 0) + 1;
    stableIds.counts.set(prefix, count);
    return `${prefix}_${base62Of(createHash('sha256').update(`${stableIds.seed}:${prefix}:${count}`).digest(), 24)}`;
  }
  return `${prefix}_${randomBase62(24)}`;
}

function base62Of(bytes: Buffer, length: number): string {
  let out = '';
  for (const byte of bytes) if (byte < 248 && out.length < length) out += BASE62[byte % 62];
  return out.padEnd(length, '0');
}

let clockOffsetSeconds = 0;

/** The stand-in's clock: real time, moved forward by `advanceClock` (tests of ordering by time). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) + clockOffsetSeconds;
}

/** The stand-in's clock in milliseconds (idempotency-key retention is measured on it). */
export function nowMs(): number {
  return Date.now() + clockOffsetSeconds * 1000;
}

export function advanceClock(seconds: number): void {
  clockOffsetSeconds += seconds;
}

export function resetClock(): void {
  clockOffsetSeconds = 0;
}
