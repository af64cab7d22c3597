import type { Page } from '@hookd/sdk/client';
import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryOptions } from '@tanstack/react-query';

// A cursor-paged list as the list pages show it: the items loaded so far (the first page, then
// each "Load more"), whether there is more, and what went wrong.

export interface PagedList<T> {
  /** The items loaded so far; null until the first page has come. */
  items: T[] | null;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  busyMore: boolean;
  loadMore: () => void;
  refresh: () => void;
}

export function usePagedList<T>(
  options: UseInfiniteQueryOptions<Page<T>, Error, InfiniteData<Page<T>, string | null>, readonly unknown[], string | null>,
): PagedList<T> {
  const query = useInfiniteQuery(options);
  return {
    items: query.data === undefined ? null : query.data.pages.flatMap((page) => page.data),
    hasMore: query.hasNextPage,
    loading: query.isPending,
    error: query.error ?? null,
    busyMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
    refresh: () => void query.refetch(),
  };
}
