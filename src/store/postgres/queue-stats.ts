import { queueStatsOf } from '../shared/queue.js';
import type { QueueStats } from '../store.js';
import type { PostgresDb } from './connection.js';
import { PARKED_ENDPOINTS } from './parking.js';

// The queue's counts for /metrics on PostgreSQL, read at every scrape. Asking every pending row
// whether it has a lease (`lease_owner IS NULL`), as the statement once shared with SQLite did,
// reads each row from the table (no index holds the lease columns, lease-state.ts): parallel seq
// scans that took both cores of a small machine for ~200 ms at every scrape once failing endpoints
// had a few hundred thousand retries waiting (docs/performance.md, section 28). Here:
//
// - A leased row was due when it was claimed, and keeps its next_attempt_at until it is released
//   or finished. So only the rows due by now (plus a minute for the claiming node's clock) are read
//   from the table, once, for the due, leased and soon-due counts.
// - Rows scheduled later are counted from deliveries_due alone: an index-only scan, the pages of
//   rows that wait for hours being all-visible once vacuumed.
// - Parked rows are never leased (parking.ts): the partition holding them is counted from its
//   index, and its oldest row found with the parking's skip scan (one descent per endpoint that
//   has parked rows).
// - No parallel workers: a gauge is not worth both cores.

/** How far a claiming node's clock may run ahead of the scraping node's and its leased rows still count as leased. */
export const CLOCK_SKEW_MS = 60_000;

export const QUEUE_STATS = {
  name: 'hookd_queue_stats',
  text: `SELECT near.*,
    (SELECT count(*) FROM deliveries WHERE status = 'pending' AND parked = 0 AND next_attempt_at > $2) AS later,
    (SELECT count(*) FROM deliveries_parked) AS parked,
    (SELECT min(first) FROM (${PARKED_ENDPOINTS}) endpoints_with_parked) AS oldest_parked,
    (SELECT count(*) FROM deliveries WHERE blocked_by IS NOT NULL AND status = 'pending') AS waiting
  FROM (
    SELECT count(*) FILTER (WHERE lease_owner IS NULL AND next_attempt_at <= $1) AS due,
      count(*) FILTER (WHERE lease_owner IS NULL AND next_attempt_at > $1) AS soon,
      count(*) FILTER (WHERE lease_owner IS NOT NULL) AS sending,
      min(next_attempt_at) FILTER (WHERE lease_owner IS NULL) AS oldest
    FROM deliveries WHERE status = 'pending' AND parked = 0 AND next_attempt_at <= $2
  ) near`,
};

interface QueueStatsRow {
  due: number;
  soon: number;
  sending: number;
  oldest: number | null;
  later: number;
  parked: number;
  oldest_parked: number | null;
  waiting: number;
}

export async function postgresQueueStats(db: PostgresDb, now: number): Promise<QueueStats> {
  const row = await db.transaction(async (tx) => {
    await tx.run('SET LOCAL max_parallel_workers_per_gather = 0');
    return (await tx.one<QueueStatsRow>(QUEUE_STATS, [now, now + CLOCK_SKEW_MS]))!;
  });
  return queueStatsOf({ ...row, scheduled: row.soon + row.later, oldestParked: row.oldest_parked }, now);
}
