import type { ReactNode } from 'react';
import type { PagedList } from '../paged-list.js';
import { Empty, ErrorBanner, LoadMore, Loading } from './ui.js';

// What every list page shows around its table, so they all behave alike: why the list could not
// be loaded, a spinner until the first page comes, what to say when nothing matches, and "Load
// more" while there is a next page.

export function PagedResults<T>({
  list,
  failure,
  empty,
  children,
}: {
  list: PagedList<T>;
  /** The error banner's title: "Events could not be loaded". */
  failure: string;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  return (
    <>
      <ErrorBanner error={list.error} title={failure} />
      {list.items === null ? list.loading && <Loading /> : list.items.length === 0 ? <Empty>{empty}</Empty> : children(list.items)}
      <LoadMore hasMore={list.hasMore} onMore={list.loadMore} busy={list.busyMore} />
    </>
  );
}
