import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { minuteOf } from '../store/attempt-rollups.js';
import type { Store } from '../store/store.js';

// Endpoint stats rollups on PostgreSQL come in up to 8 shards a minute (one per writing
// connection); once a minute is past, its shards are merged into one row (store.mergeRollupShards),
// so a day of stats reads ~1,440 rows, not ~11,500. Every few minutes this sweep merges the
// minutes that have settled and were not merged yet, an hour at a time (short transactions). A node
// starts with the last day: no stats window reads older minutes. On SQLite there is nothing to merge.

const MERGE_EVERY_MS = 5 * 60_000;
/** An attempt is recorded within its timeout (60 s at most) and a flush: ten minutes on, nothing writes its minute any more. */
const SETTLE_MS = 10 * 60_000;
const STEP_MS = 60 * 60_000;
const OLDEST_READ_MS = 24 * 60 * 60_000;

export class RollupShardMerge {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** Minutes before this are merged (by this node or another). */
  private mergedUntil: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce().catch((error) => this.log.warn({ err: error }, 'merging stats rollups failed; next sweep tries again')), MERGE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Merges the settled minutes not merged yet; returns how many shard rows it folded. */
  runOnce(): Promise<number> {
    this.running ??= this.merge().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async merge(): Promise<number> {
    const now = this.clock.now();
    const until = minuteOf(now - SETTLE_MS);
    let folded = 0;
    for (let from = this.mergedUntil ?? minuteOf(now - OLDEST_READ_MS); from < until; from += STEP_MS) {
      const to = Math.min(from + STEP_MS, until);
      const step = await this.store.mergeRollupShards(from, to);
      // Another node is merging: it covers these minutes, or the next sweep here does.
      if (step === null) return folded;
      folded += step;
      this.mergedUntil = to;
    }
    return folded;
  }
}
