import { createHash } from 'node:crypto';

/** SQS: MessageGroupId and MessageDeduplicationId are "1 to 128 in length" (SendMessage API reference). */
export const FIFO_ID_MAX_LENGTH = 128;

/**
 * A FIFO group or deduplication id for any value: the value itself when it fits (so groups of ids that
 * always fitted are unchanged), otherwise a SHA-256 of it. Stripe ids are up to 255 characters, and one
 * that does not fit would be refused with InvalidParameterValue on every retry, for good.
 */
export function fifoId(value: string): string {
  if (value.length <= FIFO_ID_MAX_LENGTH) return value;
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}
