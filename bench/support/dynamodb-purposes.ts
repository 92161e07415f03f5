import type { DynamoDbCall } from './dynamodb-counting-proxy';

/**
 * What a DynamoDB call was for, read from the request itself (key and update expression), matched to
 * functions/shared/adapters/dynamodb-setup-records.ts:
 * - claim: the conditional write that takes a setup (`SET … claimToken = :token`);
 * - ordering: writes to the per-customer / per-subscription default-owner items (`customer_default#…`,
 *   `subscription_default#…`) that decide which setup's method is the newest default. In the current
 *   adapter each owner record doubles as its step's checkpoint, so it is counted here, once;
 * - checkpoint: a separate write of step progress under the claim (`SET` of `steps`, `checkpoint`,
 *   `customerDefault` or `subscriptionDefault` without ending the claim); the current adapter has none;
 * - outcome: the write that ends the claim (`REMOVE claimToken`) with the final status and step results;
 * - release: giving a claim back after a transient failure (`SET claimExpiresAt = :zero`);
 * - queued: the session API marking a setup it re-queued (`SET … queuedAt`);
 * - read: GetItem (the duplicate check after a lost claim), BatchGetItem (the owners), Query, Scan.
 */
export const WRITE_PURPOSES = [
  'claim',
  'ordering',
  'checkpoint',
  'outcome',
  'release',
  'queued',
  'other',
] as const;
export type WritePurpose = (typeof WRITE_PURPOSES)[number];
export type Purpose = WritePurpose | 'read';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const ORDERING_KEY = /^(customer|subscription)_(default|order)#/;
const CHECKPOINT_ATTRIBUTES = /^(steps?|checkpoints?|customerDefault|subscriptionDefault)(\.|\[|$)/;

export function purposeOf(call: DynamoDbCall): Purpose {
  if (READS.has(call.operation)) return 'read';
  const input = call.input as {
    Key?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string }>;
    UpdateExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
  };
  const key = Object.values(input.Key ?? input.Item ?? {})[0]?.S ?? '';
  if (ORDERING_KEY.test(key)) return 'ordering';
  const { set, remove } = updatedAttributes(
    input.UpdateExpression ?? '',
    input.ExpressionAttributeNames ?? {},
  );
  if (remove.includes('claimToken')) return 'outcome';
  if (set.includes('claimToken')) return 'claim';
  if (set.some((name) => CHECKPOINT_ATTRIBUTES.test(name))) return 'checkpoint';
  if (set.length === 1 && set[0] === 'claimExpiresAt') return 'release';
  if (set.includes('queuedAt')) return 'queued';
  return 'other';
}

/** Attribute names an update expression SETs and REMOVEs, `#name` placeholders resolved. */
export function updatedAttributes(expression: string, names: Record<string, string>) {
  const resolve = (name: string) => names[name] ?? name;
  const clauses = new Map<string, string>();
  const parts = expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i);
  for (let index = 1; index < parts.length; index += 2) {
    clauses.set((parts[index] ?? '').toUpperCase(), parts[index + 1] ?? '');
  }
  const set = [...(clauses.get('SET') ?? '').matchAll(/(?:^|,)\s*([#\w.[\]]+)\s*=/g)].map((match) =>
    resolve(match[1] ?? ''),
  );
  const remove = (clauses.get('REMOVE') ?? '')
    .split(',')
    .map((name) => resolve(name.trim()))
    .filter(Boolean);
  return { set, remove };
}

export type PurposeCounts = Record<Purpose, number>;

export function countPurposes(calls: readonly DynamoDbCall[]): PurposeCounts {
  const counts = Object.fromEntries(
    [...WRITE_PURPOSES, 'read'].map((purpose) => [purpose, 0]),
  ) as PurposeCounts;
  for (const call of calls) counts[purposeOf(call)] += 1;
  return counts;
}

export const writesIn = (counts: PurposeCounts) =>
  WRITE_PURPOSES.reduce((total, purpose) => total + counts[purpose], 0);
