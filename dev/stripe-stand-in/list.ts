import { invalidRequest, resourceMissing } from './errors';
import type { Params } from './form-encoding';
import { matchesRange, optionalInteger, optionalString } from './params';

export interface ApiList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Pages `items` the way Stripe lists do: newest first, `limit` 1..100 (default 10), cursors
 * `starting_after` / `ending_before` naming an object id in the list, and `created` range filters.
 */
export function paginate<T extends { id: string; created: number }>(
  itemsOldestFirst: Iterable<T>,
  params: Params,
  url: string,
  objectName: string,
): ApiList<T> {
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest('This value must be greater than or equal to 1 and less than or equal to 100.', {
      param: 'limit',
      code: 'parameter_invalid_integer',
    });
  }
  const newestFirst = [...itemsOldestFirst]
    .reverse()
    .filter((item) => matchesRange(item.created, params.created));
  const startingAfter = optionalString(params, 'starting_after');
  const endingBefore = optionalString(params, 'ending_before');
  if (startingAfter !== undefined) {
    const index = newestFirst.findIndex((item) => item.id === startingAfter);
    if (index === -1) throw resourceMissing(objectName, startingAfter, 'starting_after', 400);
    const rest = newestFirst.slice(index + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (endingBefore !== undefined) {
    const index = newestFirst.findIndex((item) => item.id === endingBefore);
    if (index === -1) throw resourceMissing(objectName, endingBefore, 'ending_before', 400);
    const before = newestFirst.slice(0, index);
    return { object: 'list', data: before.slice(-limit), has_more: before.length > limit, url };
  }
  return { object: 'list', data: newestFirst.slice(0, limit), has_more: newestFirst.length > limit, url };
}
