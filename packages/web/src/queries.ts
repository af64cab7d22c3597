import type {
  Hookd,
  ListAccountsQuery,
  ListDeliveriesQuery,
  ListEndpointsQuery,
  ListEventsQuery,
  ListEventTypesQuery,
  ListKeysQuery,
  ListOperationsQuery,
  Page,
} from '@hookd/sdk/client';
import { infiniteQueryOptions, queryOptions, type InfiniteData, type QueryClient } from '@tanstack/react-query';

// Every read the app makes, as TanStack Query options: one key per resource, so a mutation
// invalidates exactly what it changed (`['deliveries']` refreshes every delivery list and page).
// Each request carries the query's AbortSignal: leaving a page cancels what it was loading.

/** A list's first page and the ones after it, by cursor ("Load more"). */
function pagedList<Q extends object, T>(key: readonly unknown[], query: Q, fetchPage: (query: Q & { cursor?: string }, signal: AbortSignal) => PromiseLike<Page<T>>) {
  return infiniteQueryOptions<Page<T>, Error, InfiniteData<Page<T>, string | null>, readonly unknown[], string | null>({
    queryKey: [...key, 'list', query],
    queryFn: ({ pageParam, signal }) => Promise.resolve(fetchPage(pageParam === null ? query : { ...query, cursor: pageParam }, signal)),
    initialPageParam: null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

/** Query parameters from a page's filters: empty ones are left out (an empty filter means none). */
function filled<T extends Record<string, unknown>>(query: T): T {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== '')) as T;
}

export const endpointQueries = {
  list: (hookd: Hookd, query: ListEndpointsQuery) => pagedList(['endpoints'], filled(query), (q, signal) => hookd.endpoints.list(q, { signal })),
  detail: (hookd: Hookd, id: string) => queryOptions({ queryKey: ['endpoints', 'detail', id], queryFn: ({ signal }) => hookd.endpoints.get(id, { signal }) }),
  /** Up to 250 endpoints by title, for a filter's choices. */
  choices: (hookd: Hookd) =>
    queryOptions({ queryKey: ['endpoints', 'list', 'choices'], queryFn: async ({ signal }) => (await hookd.endpoints.list({ limit: 250 }, { signal })).data }),
  stats: (hookd: Hookd, id: string) => queryOptions({ queryKey: ['endpoints', 'detail', id, 'stats'], queryFn: ({ signal }) => hookd.endpoints.stats(id, { signal }) }),
  publicKeys: (hookd: Hookd, id: string) =>
    queryOptions({ queryKey: ['endpoints', 'detail', id, 'public-keys'], queryFn: ({ signal }) => hookd.endpoints.getPublicKeys(id, { signal }) }),
};

export const deliveryQueries = {
  list: (hookd: Hookd, query: ListDeliveriesQuery) => pagedList(['deliveries'], filled(query), (q, signal) => hookd.deliveries.list(q, { signal })),
  /** One page only, for a short list inside another page (an endpoint's latest deliveries). */
  latest: (hookd: Hookd, query: ListDeliveriesQuery) =>
    queryOptions({ queryKey: ['deliveries', 'latest', query], queryFn: ({ signal }) => Promise.resolve(hookd.deliveries.list(query, { signal })) }),
  detail: (hookd: Hookd, id: string) => queryOptions({ queryKey: ['deliveries', 'detail', id], queryFn: ({ signal }) => hookd.deliveries.get(id, { signal }) }),
  /** Keyed by how many attempts the delivery says it made: a new attempt is a new list to load. */
  attempts: (hookd: Hookd, id: string, made: number) =>
    queryOptions({ queryKey: ['deliveries', 'detail', id, 'attempts', made], queryFn: ({ signal }) => Promise.resolve(hookd.deliveries.attempts(id, { limit: 250 }, { signal })) }),
};

export const eventQueries = {
  list: (hookd: Hookd, query: ListEventsQuery) => pagedList(['events'], filled(query), (q, signal) => hookd.events.list(q, { signal })),
  detail: (hookd: Hookd, id: string) => queryOptions({ queryKey: ['events', 'detail', id], queryFn: ({ signal }) => hookd.events.get(id, { signal }) }),
};

export const eventTypeQueries = {
  list: (hookd: Hookd, query: ListEventTypesQuery) => pagedList(['event-types'], filled(query), (q, signal) => hookd.eventTypes.list(q, { signal })),
  /** The whole live catalog (up to a thousand types), for pickers. */
  all: (hookd: Hookd) =>
    queryOptions({
      queryKey: ['event-types', 'all'],
      queryFn: async ({ signal }) => {
        const types = [];
        for await (const type of hookd.eventTypes.list({ limit: 250 }, { signal })) {
          types.push(type);
          if (types.length >= 1000) break;
        }
        return types;
      },
    }),
  detail: (hookd: Hookd, name: string) => queryOptions({ queryKey: ['event-types', 'detail', name], queryFn: ({ signal }) => hookd.eventTypes.get(name, { signal }) }),
};

export const accountQueries = {
  list: (hookd: Hookd, query: ListAccountsQuery) => pagedList(['accounts'], filled(query), (q, signal) => hookd.accounts.list(q, { signal })),
};

export const keyQueries = {
  list: (hookd: Hookd, query: ListKeysQuery) => pagedList(['keys'], filled(query), (q, signal) => hookd.keys.list(q, { signal })),
};

export const operationQueries = {
  list: (hookd: Hookd, query: ListOperationsQuery) => pagedList(['operations'], filled(query), (q, signal) => hookd.operations.list(q, { signal })),
  detail: (hookd: Hookd, protocol: string) =>
    queryOptions({ queryKey: ['operations', 'detail', protocol], queryFn: ({ signal }) => hookd.operations.get(protocol, { signal }) }),
};

/**
 * After something that makes or changes deliveries (a retry, a replay, a recovery, a test send):
 * every delivery list and page, the events that show them, and endpoints' health and latest lists
 * load again.
 */
export function invalidateDeliveries(queryClient: QueryClient): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['deliveries'] }),
    queryClient.invalidateQueries({ queryKey: ['events'] }),
    queryClient.invalidateQueries({ queryKey: ['endpoints', 'detail'], predicate: (query) => query.queryKey[3] === 'stats' }),
    queryClient.invalidateQueries({ queryKey: ['operations'] }),
  ]).then(() => undefined);
}
