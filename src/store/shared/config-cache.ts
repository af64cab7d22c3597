import type { Store } from '../store.js';

// What every ingest request reads and almost never changes: the caller's API key, the event's type,
// its account, and the account's candidate endpoints. On PostgreSQL each was a round trip per
// request, about half of all statements in the soak (docs/performance.md, section 21), and the
// endpoints' secrets were decrypted every time; on SQLite they were a quarter of the statements'
// time (section 27). Kept here until something changes them:
//
// - this process's own changes clear the cache as soon as the statement (or its transaction) ends
//   (config-writes.ts), so a request that starts after a change here never sees the old answer;
// - on PostgreSQL, other nodes' changes arrive by NOTIFY from triggers (migrations/postgres/0023),
//   within the notification's delay (milliseconds); while that notification connection is down,
//   nothing is cached or served from the cache, and all of it is forgotten when it comes back:
//   changes made meanwhile were not heard;
// - on SQLite, another process's commit to the file (`hookd keys create` beside a running server)
//   is seen before each cached read, by `PRAGMA data_version` (`beforeRead`);
// - no answer is kept longer than MAX_ANSWER_AGE_MS, for where notifications are lost without the
//   connection dropping (a pooler in transaction mode hands the listening session to others).
//
// Only found rows are cached, so a new key, type or account is seen at once without a notification.

/** Hears of config changes, and of whether it can hear of them at all. */
export interface ConfigListener {
  /** Another node (or this one) changed a cached table. */
  changed(): void;
  /** True once every change can be heard; false while some may be missed (a lost connection). */
  listening(on: boolean): void;
}

/** This process's own config changes, told to the config cache as soon as they are committed. */
export class LocalConfigChanges {
  private readonly listeners = new Set<() => void>();

  listen(listener: () => void): void {
    this.listeners.add(listener);
  }

  committed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** A bound on what a flood of distinct keys (accounts, types) can make the cache hold. */
export const MAX_CACHED_ANSWERS = 10_000;
/** The longest another node's change can go unseen when its notification never arrives. */
export const MAX_ANSWER_AGE_MS = 5000;

interface Answer {
  value: unknown;
  loadedAt: number;
}

/**
 * What is cached. Operational fields of the answers (an endpoint's `control`, a key's `lastUsedAt`)
 * are written without clearing the cache and may be stale: callers of these reads (routing,
 * authentication) must not use them; read the endpoint or key itself for those.
 */
export type CachedReads = Pick<Store, 'findKeyByHash' | 'getEventType' | 'getAccount' | 'findCandidateEndpoints'>;

export class ConfigCache implements ConfigListener {
  private readonly answers = new Map<string, Answer>();
  /** Counts changes: an answer loaded across one is not kept (it may predate the change). */
  private generation = 0;
  private heard = false;

  /** `beforeRead` may call `changed()`: it learns of changes that are not told (SQLite's other processes). */
  constructor(
    private readonly maxAgeMs = MAX_ANSWER_AGE_MS,
    private readonly beforeRead: () => void = () => undefined,
  ) {}

  changed(): void {
    this.generation++;
    this.answers.clear();
  }

  listening(on: boolean): void {
    this.heard = on;
    this.changed();
  }

  /** Cached versions of `reads`. Answers are frozen, nested objects included: they are shared by every caller. */
  wrap(reads: CachedReads): CachedReads {
    return {
      findKeyByHash: (hash) => this.read(`key\0${hash}`, () => reads.findKeyByHash(hash)),
      getEventType: (name) => this.read(`type\0${name}`, () => reads.getEventType(name)),
      getAccount: (id) => this.read(`account\0${id}`, () => reads.getAccount(id)),
      findCandidateEndpoints: (accountId) =>
        this.read(accountId === null ? 'endpoints\u0001' : `endpoints\0${accountId}`, () => reads.findCandidateEndpoints(accountId)),
    };
  }

  private async read<V>(key: string, load: () => Promise<V>): Promise<V> {
    const startedAt = performance.now();
    this.beforeRead();
    if (this.heard) {
      const answer = this.answers.get(key);
      if (answer !== undefined && startedAt - answer.loadedAt < this.maxAgeMs) return answer.value as V;
    }
    const generation = this.generation;
    // Frozen whether kept or not, so that a caller that changes an answer fails every time.
    const value = deepFreeze(await load());
    if (value !== null && this.heard && generation === this.generation) {
      if (this.answers.size >= MAX_CACHED_ANSWERS) this.answers.clear();
      this.answers.set(key, { value, loadedAt: startedAt });
    }
    return value;
  }
}

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
