// How a delivery's lease is written on PostgreSQL. A claim only writes the lease (lease_owner,
// lease_expires_at): `status` stays `pending` while a worker holds the delivery, and readers show
// such a row as `sending` (rows.ts). No index covers the lease columns, and the claim changes no
// other column that an index or its predicate uses, so the claim is a HOT update: a new row version
// on the same page and no new index entry (docs/performance.md, section 15). The queue's indexes
// (deliveries_due, deliveries_due_by_account) therefore also hold the leased rows; claims skip them.

/**
 * Held under a lease: what the API calls `sending`. A leased row is never parked (parking.ts parks
 * only unleased rows); saying `parked = 0` lets the planner find leased rows in deliveries_due.
 */
export const LEASED = "(status = 'pending' AND parked = 0 AND lease_owner IS NOT NULL)";

/** Waiting for a claim: what the API calls `pending`. */
export const QUEUED = "(status = 'pending' AND lease_owner IS NULL)";
