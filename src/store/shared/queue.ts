import type { SqlDb } from '../dialect.js';
import type { QueueStore } from '../store.js';

// The queue statements that are the same on both dialects. The hot ones (ingest, claim, recording
// results) are each dialect's own: SQLite names its partial index, PostgreSQL skips locked rows
// and writes batches with unnest arrays.

/** Deliveries given back by their lease holder (shutdown, or a lane too full). */
export function releaseDeliveries(db: SqlDb): string {
  return `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
    WHERE ${db.inList('id')} AND lease_owner = ? AND status = 'sending'`;
}

/** A 410 Gone disables the delivery's endpoint with the attempt's result (only if the result was written under its lease). */
export function disableEndpointOfDelivery(db: SqlDb): string {
  return `UPDATE endpoints SET active = 0, spec = ${db.specWithDisabledReason()}, updated_at = ?
    WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = ?) AND active = 1`;
}

export function sharedQueue(db: SqlDb): Pick<QueueStore, 'releaseDeliveries' | 'queueStats'> {
  const release = releaseDeliveries(db);
  return {
    async releaseDeliveries(ids, owner, nextAttemptAt) {
      if (ids.length === 0) return;
      await db.run(release, [nextAttemptAt, db.list(ids), owner]);
    },
    async queueStats(now) {
      // Each count walks a partial index of pending or leased rows (deliveries_due,
      // deliveries_leased): the cost grows with the backlog, never with the history kept.
      const row = (await db.one<{ due: number; scheduled: number; oldest: number | null; sending: number }>(
        `SELECT
           (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?) AS due,
           (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at > ?) AS scheduled,
           (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest,
           (SELECT count(*) FROM deliveries WHERE status = 'sending') AS sending`,
        [now, now],
      ))!;
      return {
        due: row.due,
        scheduled: row.scheduled,
        sending: row.sending,
        oldestDueAt: row.oldest !== null && row.oldest <= now ? row.oldest : null,
      };
    },
  };
}
