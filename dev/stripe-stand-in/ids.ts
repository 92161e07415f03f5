import { randomBytes } from 'node:crypto';

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

/** Stripe-style object id: a type prefix plus 24 random base62 characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(24)}`;
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
