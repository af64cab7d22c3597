// Lookups shared by the requests handled in one tick of the event loop: concurrent requests asking
// for the same key read it once (on PostgreSQL a lookup is a round trip per request). Forgotten at
// the end of the tick, so a request that starts after a change never sees the old answer.

/** Wraps `load` so that calls with the same key within one event-loop tick share one load. */
export function coalescePerTick<V>(load: (key: string) => Promise<V>): (key: string) => Promise<V> {
  let pending = new Map<string, Promise<V>>();
  return (key) => {
    let entry = pending.get(key);
    if (entry === undefined) {
      if (pending.size === 0) setImmediate(() => (pending = new Map()));
      entry = load(key);
      pending.set(key, entry);
    }
    return entry;
  };
}
