import { ADDED_COLUMNS, rollupUpdates } from '../attempt-rollups.js';
import { ROLLUP_MERGE_LOCK, tryLockForTransaction, type PostgresDb } from './connection.js';

// Each connection that records attempts writes its own shard of a minute's rollup row (one of 8,
// queue-statements.ts), so batches committing together do not queue on one busy endpoint's row.
// Once a minute is past, nothing writes it any more, but its shards stay: a day of stats for a busy
// endpoint read ~11,500 rows instead of 1,440 (docs/performance.md, section 28). Merging folds the
// shards of past minutes into one row (shard 0), so GET …/stats reads about one row a minute.

/**
 * Folds the shards of every minute in [from, until) into shard 0. The rows are locked first in the
 * order the recorder locks them (endpoint, minute; then shard), so a late batch writing an old
 * minute waits instead of deadlocking; its shard row, written after the merge, is summed by readers
 * like any other and merged by a later run covering that minute, if any.
 */
const MERGE_SHARDS = `WITH locked AS MATERIALIZED (
    SELECT endpoint_id, minute_start, shard FROM endpoint_attempt_rollups
    WHERE minute_start >= ? AND minute_start < ?
    ORDER BY endpoint_id, minute_start, shard FOR UPDATE),
  moved AS (
    DELETE FROM endpoint_attempt_rollups r USING locked l
    WHERE r.endpoint_id = l.endpoint_id AND r.minute_start = l.minute_start AND r.shard = l.shard AND l.shard <> 0
    RETURNING r.*),
  merged AS (
    INSERT INTO endpoint_attempt_rollups (endpoint_id, minute_start, shard, min_ms, max_ms, ${ADDED_COLUMNS.join(', ')})
    SELECT endpoint_id, minute_start, 0, min(min_ms), max(max_ms), ${ADDED_COLUMNS.map((c) => `sum(${c})`).join(', ')}
    FROM moved GROUP BY endpoint_id, minute_start ORDER BY endpoint_id, minute_start
    ON CONFLICT (endpoint_id, minute_start, shard) DO UPDATE SET ${rollupUpdates('least', 'greatest')})
  SELECT count(*) AS folded FROM moved`;

/** Merges the shards of the minutes in [from, until); returns how many shard rows it folded into shard 0. One node at a time: the others get null at once. */
export function mergeRollupShards(db: PostgresDb, from: number, until: number): Promise<number | null> {
  return db.transaction(async (tx) => {
    if (!(await tryLockForTransaction(tx, ROLLUP_MERGE_LOCK))) return null;
    return (await tx.one<{ folded: number }>(MERGE_SHARDS, [from, until]))?.folded ?? 0;
  });
}
