import { useCallback, useEffect, useRef, useState } from 'react';

// Loading data for a page: the latest request wins, errors are kept to show, reload on demand.

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the data shown (after a mutation answered with the new state). */
  set: (data: T) => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) => ticket === latest.current && setState({ data: null, error, loading: false }),
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const set = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, set };
}

/** The value, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Runs an action, tracking whether it is in flight and what it answered or threw. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [state, setState] = useState<{ busy: boolean; error: unknown; result: R | null }>({ busy: false, error: null, result: null });
  const run = async (...args: A): Promise<R | null> => {
    setState({ busy: true, error: null, result: null });
    try {
      const result = await action(...args);
      setState({ busy: false, error: null, result });
      return result;
    } catch (error) {
      setState({ busy: false, error, result: null });
      return null;
    }
  };
  const reset = () => setState({ busy: false, error: null, result: null });
  return { ...state, run, reset };
}

export interface Paged<T> {
  /** The items loaded so far; null until the first page has come. */
  items: T[] | null;
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
  busyMore: boolean;
  loadMore: () => Promise<void>;
  reload: () => void;
}

/** A cursor-paged list: the first page on load (and when deps change), more on demand. */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<{ data: T[]; nextCursor: string | null }>, deps: unknown[]): Paged<T> {
  const first = useLoad(() => fetchPage(null), deps);
  const [more, setMore] = useState<{ items: T[]; cursor: string | null; busy: boolean; error: unknown }>({ items: [], cursor: null, busy: false, error: null });
  useEffect(() => {
    setMore({ items: [], cursor: first.data?.nextCursor ?? null, busy: false, error: null });
  }, [first.data]);
  const loadMore = async () => {
    if (more.cursor === null) return;
    setMore((m) => ({ ...m, busy: true }));
    try {
      const page = await fetchPage(more.cursor);
      setMore((m) => ({ items: [...m.items, ...page.data], cursor: page.nextCursor, busy: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, busy: false, error }));
    }
  };
  return {
    items: first.data === null ? null : [...first.data.data, ...more.items],
    nextCursor: more.cursor,
    loading: first.loading,
    error: first.error ?? more.error,
    busyMore: more.busy,
    loadMore,
    reload: first.reload,
  };
}
