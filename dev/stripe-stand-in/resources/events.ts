import { resourceMissing } from '../errors';
import { paginate } from '../list';
import { optionalString, optionalStringArray } from '../params';
import type { ApiRoute } from '../router';

/** Matches Stripe's `type` filter, which allows `*` wildcards such as `checkout.session.*`. */
function typeMatcher(pattern: string): (type: string) => boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}

export const eventRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/events/:id',
    contract: { params: 'EventRetrieveParams', response: 'Event' },
    handle({ pathParams, store }) {
      const event = store.getEvent(pathParams.id ?? '');
      if (event === undefined) throw resourceMissing('event', pathParams.id ?? '', 'id');
      return { body: event, effect: false };
    },
  },
  {
    method: 'GET',
    path: '/v1/events',
    contract: { params: 'EventListParams', response: 'EventList' },
    handle({ params, store }) {
      const type = optionalString(params, 'type');
      const types = optionalStringArray(params, 'types');
      const single = type === undefined ? undefined : typeMatcher(type);
      const candidates = [...store.events.values()].filter(
        (event) =>
          (single === undefined || single(event.type)) && (types === undefined || types.includes(event.type)),
      );
      return { body: paginate(candidates, params, '/v1/events', 'event'), effect: false };
    },
  },
];
