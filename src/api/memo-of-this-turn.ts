// Lookups shared by the requests handled in one turn of the event loop: concurrent requests asking
// for the same key read it once (on PostgreSQL a lookup is a round trip per request). Forgotten at
// the end of the turn, so a request that starts after a change never sees the old answer.

export class MemoOfThisTurn<V> {
  private entries = new Map<string, Promise<V>>();

  constructor(private readonly load: (key: string) => Promise<V>) {}

  get(key: string): Promise<V> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size === 0) setImmediate(() => (this.entries = new Map()));
      entry = this.load(key);
      this.entries.set(key, entry);
    }
    return entry;
  }
}
