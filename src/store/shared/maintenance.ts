import type { SqlDb } from '../dialect.js';

// Statements of the maintenance sweeps, the same on both dialects; each adapter runs them in its
// own transaction (and PostgreSQL takes its locks first).

/** Active endpoints that have failed long enough to be disabled. */
export const FAILING_ENDPOINTS = `SELECT * FROM endpoints
  WHERE active = 1 AND failing_since IS NOT NULL AND failing_since <= ? AND failure_count >= ?`;

export function disableEndpoint(db: SqlDb): string {
  return `UPDATE endpoints SET active = 0, spec = ${db.specWithDisabledReason()}, updated_at = ? WHERE id = ? AND active = 1 RETURNING *`;
}

/** One rate-limit slot: each attempt takes the next free one, whichever node sends it. */
export function reserveRateSlot(db: SqlDb): string {
  return `UPDATE endpoints SET rate_next_at = ${db.greatest('coalesce(rate_next_at, 0)', '?')} + ? WHERE id = ?
    RETURNING rate_next_at - ? AS start`;
}

/** Retention, one batch: events are kept while any of their deliveries still has attempts to make. */
export function purgeStatements(db: SqlDb) {
  return {
    events: `SELECT id FROM events WHERE created_at < ? AND NOT EXISTS (
        SELECT 1 FROM deliveries WHERE deliveries.event_id = events.id AND deliveries.status IN ('pending', 'sending')
      ) ORDER BY created_at LIMIT ?`,
    // SQLite only: PostgreSQL drops attempts by day partition (src/store/postgres/attempt-partitions.ts).
    attempts: `DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE ${db.inList('event_id')})`,
    deliveries: `DELETE FROM deliveries WHERE ${db.inList('event_id')}`,
    deleteEvents: `DELETE FROM events WHERE ${db.inList('id')}`,
    operations: `DELETE FROM operations WHERE seq IN (
        SELECT seq FROM operations WHERE requested_at < ? AND status <> 'pending' ORDER BY requested_at LIMIT ?)`,
    keys: 'DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
    // Stats rollups live as long as the attempts they sum (oldest minutes first, by row address).
    rollups: `DELETE FROM endpoint_attempt_rollups WHERE ${rowAddress(db)} IN (
        SELECT ${rowAddress(db)} FROM endpoint_attempt_rollups WHERE minute_start < ? ORDER BY minute_start LIMIT ?)`,
  };
}

/** A row's physical address, to delete a batch of rows of a table whose key has several columns. */
function rowAddress(db: SqlDb): string {
  return db.dialect === 'sqlite' ? 'rowid' : 'ctid';
}
