import type { SqlDb, Statement } from '../dialect.js';
import type { AccountLimit, QueueStore } from '../store.js';

// Parking (issue 19): the pending deliveries of a paused endpoint are taken out of the due indexes
// (`parked` = 1, status still `pending`), so that claims, the fair-share probe and nextDueAt do not
// step over them one by one while the pause lasts; a receiver answering 429 for an hour piles up a
// backlog that every claim used to walk. The rules are the same on both dialects; the statements
// are each dialect's own (SQLite names its indexes, PostgreSQL skips rows other nodes lock).

/** The statements of one dialect; each is bounded by its LIMITs, never by the parked backlog. */
export interface ParkingStatements {
  /** Whether any endpoint is paused at the parameter (endpoints_paused): nothing to park otherwise. */
  anyPaused: Statement;
  /**
   * Parks the due rows of paused endpoints among the first rows of one account's due index.
   * Parameters: account, now, window, now.
   */
  parkDueOfAccount: Statement;
  /** Every endpoint with parked rows (a skip scan of deliveries_parked), its pause, and its oldest parked row. */
  parkedEndpoints: Statement;
  /** Un-parks the oldest parked rows of one endpoint. Parameters: endpoint id, how many. */
  unparkOldest: Statement;
}

/** One endpoint's parked work: wakes a worker at `max(pausedUntil, first)`. */
interface ParkedEndpoint {
  id: string;
  paused_until: number | null;
  first: number;
}

/**
 * Beyond each account's claim limit, how many more due rows are looked at for paused endpoints'.
 * Most claims find none or a few (those queued since the last claim) and stop there.
 */
const PARK_WINDOW_EXTRA = 64;
/**
 * When a window was (nearly) all paused rows, the claim would step over those behind it: the next
 * windows are larger, until one leaves room for the claim's limit. A backlog that was due when its
 * endpoint paused is parked once, by one claim, rather than walked by every claim of the pause.
 */
const PARK_WINDOW_MORE = 1024;

export type Parking = Pick<QueueStore, 'parkPausedDue' | 'unparkResumed' | 'nextParkedAt'>;

export function sharedParking(db: SqlDb, statements: ParkingStatements): Parking {
  return {
    async parkPausedDue(now, limits: AccountLimit[]) {
      if (limits.length === 0 || (await db.one(statements.anyPaused, [now])) === undefined) return 0;
      let parked = 0;
      for (const { account, limit } of limits) {
        let window = limit + PARK_WINDOW_EXTRA;
        for (;;) {
          const round = await db.run(statements.parkDueOfAccount, [account, now, window, now]);
          parked += round;
          if (round <= window - limit) break;
          window = limit + PARK_WINDOW_MORE;
        }
      }
      return parked;
    },
    async unparkResumed(now, perEndpoint) {
      const ready = (await db.all<ParkedEndpoint>(statements.parkedEndpoints)).filter((e) => e.paused_until === null || e.paused_until <= now);
      let unparked = 0;
      for (const endpoint of ready) unparked += await db.run(statements.unparkOldest, [endpoint.id, perEndpoint]);
      return unparked;
    },
    async nextParkedAt() {
      const wakes = (await db.all<ParkedEndpoint>(statements.parkedEndpoints)).map((e) => Math.max(Number(e.paused_until ?? 0), Number(e.first)));
      return wakes.length === 0 ? null : Math.min(...wakes);
    },
  };
}
