import type { ParkingStatements } from '../shared/parking.js';

// Parking on SQLite (src/store/shared/parking.ts): each statement names its partial index, so the
// planner cannot trade it for one that reads every pending row.

/** The endpoints with parked rows: one descent of deliveries_parked per endpoint, whatever its backlog. */
const PARKED_ENDPOINTS = `WITH RECURSIVE parked_endpoints(id) AS (
    SELECT (SELECT endpoint_id FROM deliveries INDEXED BY deliveries_parked
      WHERE status = 'pending' AND parked = 1 AND endpoint_id IS NOT NULL ORDER BY endpoint_id LIMIT 1)
    UNION ALL
    SELECT (SELECT d.endpoint_id FROM deliveries d INDEXED BY deliveries_parked
        WHERE d.status = 'pending' AND d.parked = 1 AND d.endpoint_id > p.id ORDER BY d.endpoint_id LIMIT 1)
    FROM parked_endpoints p WHERE p.id IS NOT NULL
  )
  SELECT p.id, e.paused_until,
    (SELECT min(d.next_attempt_at) FROM deliveries d INDEXED BY deliveries_parked
      WHERE d.status = 'pending' AND d.parked = 1 AND d.endpoint_id = p.id) AS first
  FROM parked_endpoints p LEFT JOIN endpoints e ON e.id = p.id
  WHERE p.id IS NOT NULL`;

export const SQLITE_PARKING: ParkingStatements = {
  anyPaused: 'SELECT 1 FROM endpoints INDEXED BY endpoints_paused WHERE paused_until > ? LIMIT 1',
  parkDueOfAccount: `UPDATE deliveries SET parked = 1
    WHERE rowid IN (
      SELECT w.rid FROM (
        SELECT rowid AS rid, endpoint_id FROM deliveries INDEXED BY deliveries_due_by_account
        WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') = ? AND next_attempt_at <= ?
        ORDER BY next_attempt_at LIMIT ?
      ) w
      JOIN endpoints e ON e.id = w.endpoint_id
      WHERE e.paused_until > ?
    )`,
  parkedEndpoints: PARKED_ENDPOINTS,
  unparkOldest: `UPDATE deliveries SET parked = 0
    WHERE rowid IN (
      SELECT rowid FROM deliveries INDEXED BY deliveries_parked
      WHERE status = 'pending' AND parked = 1 AND endpoint_id = ? ORDER BY next_attempt_at LIMIT ?
    )`,
};
