import type { ParkingStatements } from '../shared/parking.js';

// Parking on PostgreSQL (src/store/shared/parking.ts). Rows are locked with SKIP LOCKED before they
// are changed, so a node parking never waits for (or deadlocks with) another node's claim or
// parking; a row skipped is parked (or un-parked) by a later claim. A row under a lease is never
// parked: since migration 0018 a leased row keeps status 'pending' (lease-state.ts), and it must
// stay in deliveries_due, where the expired-lease sweep and the release of a dead node's leases
// look for it. Parked rows live in a partition of their own (deliveries_parked, migration 0025):
// parking and un-parking move them.

/** The endpoints with parked rows: one descent of deliveries_parked_by_endpoint per endpoint, whatever its backlog. */
export const PARKED_ENDPOINTS = `WITH RECURSIVE parked_endpoints(id) AS (
    SELECT (SELECT endpoint_id FROM deliveries
      WHERE status = 'pending' AND parked = 1 AND endpoint_id IS NOT NULL ORDER BY endpoint_id LIMIT 1)
    UNION ALL
    SELECT (SELECT d.endpoint_id FROM deliveries d
        WHERE d.status = 'pending' AND d.parked = 1 AND d.endpoint_id > p.id ORDER BY d.endpoint_id LIMIT 1)
    FROM parked_endpoints p WHERE p.id IS NOT NULL
  )
  SELECT p.id, e.paused_until,
    (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.status = 'pending' AND d.parked = 1 AND d.endpoint_id = p.id) AS first
  FROM parked_endpoints p LEFT JOIN endpoints e ON e.id = p.id
  WHERE p.id IS NOT NULL`;

export const POSTGRES_PARKING: ParkingStatements = {
  anyPaused: { name: 'hookd_any_paused', text: 'SELECT 1 FROM endpoints WHERE paused_until > $1 LIMIT 1' },
  // The rows are locked as they are read (the window's healthy ones too, for the few milliseconds
  // of the statement: another node's claim skips them meanwhile), then found again by ctid. The
  // UPDATE has no condition an index could match, so it is a TID scan whatever the statistics say:
  // written as a join or `id = ANY(…)`, a table not analyzed yet led PostgreSQL to filter the
  // whole due index against the list (a second per window of a 20,000 backlog). A ctid is a place in
  // one partition only: the UPDATE names the partition its rows are in (status and parked, the
  // partition keys), or it would also change the rows at the same places in the others.
  parkDueOfAccount: {
    name: 'hookd_park_due_of_account',
    text: `WITH head AS MATERIALIZED (
        SELECT ctid, endpoint_id FROM deliveries
        WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') = $1 AND next_attempt_at <= $2
          AND lease_owner IS NULL
        ORDER BY next_attempt_at LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE deliveries SET parked = 1
      WHERE status = 'pending' AND parked = 0 AND ctid = ANY (ARRAY(SELECT ctid FROM head WHERE endpoint_id = ANY (ARRAY(SELECT id FROM endpoints WHERE paused_until > $4))))`,
  },
  parkedEndpoints: { name: 'hookd_parked_endpoints', text: PARKED_ENDPOINTS },
  unparkOldest: {
    name: 'hookd_unpark_oldest',
    text: `WITH chosen AS MATERIALIZED (
        SELECT ctid FROM deliveries
        WHERE status = 'pending' AND parked = 1 AND endpoint_id = $1 ORDER BY next_attempt_at LIMIT $2
        FOR UPDATE SKIP LOCKED
      )
      UPDATE deliveries SET parked = 0 WHERE status = 'pending' AND parked = 1 AND ctid = ANY (ARRAY(SELECT ctid FROM chosen))`,
  },
};
