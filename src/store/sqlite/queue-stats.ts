import { queueStatsOf } from '../shared/queue.js';
import type { QueueStats } from '../store.js';
import type { SqliteDb } from './connection.js';

// The queue's counts for /metrics on SQLite. Each count walks a partial index of pending or leased
// rows (deliveries_due, deliveries_parked, deliveries_leased), reading no table row: the cost grows
// with the backlog, never with the history kept. Waiting ones (of FIFO chains) walk deliveries_blocked.

const QUEUE_STATS = `SELECT
    (SELECT count(*) FROM deliveries WHERE status = 'pending' AND parked = 0 AND next_attempt_at <= ?) AS due,
    (SELECT count(*) FROM deliveries WHERE status = 'pending' AND parked = 1) AS parked,
    (SELECT count(*) FROM deliveries WHERE status = 'pending' AND parked = 0 AND next_attempt_at > ?) AS scheduled,
    (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND parked = 0) AS oldest,
    (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND parked = 1) AS oldest_parked,
    (SELECT count(*) FROM deliveries WHERE status = 'sending') AS sending,
    (SELECT count(*) FROM deliveries WHERE blocked_by IS NOT NULL AND status = 'pending') AS waiting`;

interface QueueStatsRow {
  due: number;
  parked: number;
  scheduled: number;
  oldest: number | null;
  oldest_parked: number | null;
  sending: number;
  waiting: number;
}

export async function sqliteQueueStats(db: SqliteDb, now: number): Promise<QueueStats> {
  const row = (await db.one<QueueStatsRow>(QUEUE_STATS, [now, now]))!;
  return queueStatsOf({ ...row, oldestParked: row.oldest_parked }, now);
}
