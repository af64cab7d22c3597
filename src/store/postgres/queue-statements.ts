import type { Delivery } from '../../domain/types.js';
import { ADDED_COLUMNS, rollupUpdates } from '../attempt-rollups.js';
import type { Named } from '../dialect.js';
import type { DeliveryLease, NewEvent } from '../store.js';
import { QUEUED } from './lease-state.js';

// The hot statements of the PostgreSQL queue, prepared on each connection by name. They name their
// columns rather than `*`: a prepared statement whose result columns change under it (a migration
// adding one, run by another node) would fail until the connection is replaced. Batches travel as
// arrays (unnest), so a statement costs one round trip whatever its size.

/**
 * A delivery to insert, and the lease it is inserted under when handed straight to a worker (never
 * an ordered one: it may have to wait, and it is claimed in its turn; see shared/fifo-chains.ts).
 */
export interface Queued {
  delivery: Delivery;
  lease: DeliveryLease | null;
}

function leaseOf({ delivery, lease }: Queued): DeliveryLease | null {
  return delivery.fifoKey == null ? lease : null;
}

export function queuedOf(events: NewEvent[]): Queued[] {
  return events.flatMap((item) => item.deliveries.map((delivery) => ({ delivery, lease: item.lease ?? null })));
}

/** The columns of events as arrays, for INSERT … SELECT * FROM unnest(…). */
export function eventColumns(events: NewEvent[]): unknown[][] {
  return [
    events.map((item) => item.event.id),
    events.map((item) => item.event.type),
    events.map((item) => item.event.accountId),
    events.map((item) => item.event.payload),
    events.map((item) => item.event.correlationId),
    events.map((item) => item.event.callbackUrl),
    events.map((item) => item.event.occurredAt),
    events.map((item) => item.event.createdAt),
    events.map((item) => item.event.orderingKey ?? null),
  ];
}

/** The columns of deliveries as arrays, for INSERT … SELECT * FROM unnest(…). */
export function deliveryColumns(queued: Queued[]): unknown[][] {
  return [
    queued.map(({ delivery }) => delivery.id),
    queued.map(({ delivery }) => delivery.eventId),
    queued.map(({ delivery }) => delivery.endpointId),
    queued.map(({ delivery }) => delivery.accountId),
    queued.map(({ delivery }) => delivery.eventType),
    queued.map(({ delivery }) => delivery.url),
    // Handed to a worker: `pending` under its lease, as a claim leaves it (lease-state.ts).
    queued.map(({ delivery }) => delivery.status),
    queued.map(({ delivery }) => delivery.attempts),
    queued.map(({ delivery }) => delivery.nextAttemptAt),
    queued.map(({ delivery }) => delivery.correlationId),
    queued.map(({ delivery }) => delivery.createdAt),
    queued.map(({ delivery }) => (delivery.singleAttempt ? 1 : 0)),
    queued.map((item) => leaseOf(item)?.owner ?? null),
    queued.map((item) => leaseOf(item)?.until ?? null),
    queued.map(({ delivery }) => delivery.fifoKey ?? null),
    queued.map(({ delivery }) => delivery.blockedBy ?? null),
  ];
}

const DELIVERY_INSERT_COLUMNS = `id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
  correlation_id, created_at, single_attempt, lease_owner, lease_expires_at, fifo_key, blocked_by`;

/** deliveryColumns' arrays as rows `d`, from parameter $`first` on (its 16 arrays in order). */
function deliveryRows(first: number): string {
  const types = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'bigint', 'text', 'bigint', 'int', 'text', 'bigint', 'text', 'text'];
  return `unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')}) AS d(${DELIVERY_INSERT_COLUMNS})`;
}

/**
 * The rows of deliveryRows(`first`), each with `park`: its endpoint is paused at $`now` and it is
 * not ordered. Those are inserted parked and without their lease (a leased row is never parked):
 * the pause is read in the statement that inserts, never stale. The paused endpoints are one
 * InitPlan over endpoints_paused, not a lookup per row.
 */
function parkedAtIngest(first: number, now: number): string {
  return `SELECT u.id, u.event_id, u.endpoint_id, u.account_id, u.event_type, u.url, u.status, u.attempts, u.next_attempt_at,
        u.correlation_id, u.created_at, u.single_attempt,
        CASE WHEN u.park THEN NULL ELSE u.lease_owner END AS lease_owner,
        CASE WHEN u.park THEN NULL ELSE u.lease_expires_at END AS lease_expires_at,
        u.fifo_key, u.blocked_by, CASE WHEN u.park THEN 1 ELSE 0 END AS parked
      FROM (
        SELECT d.*, (d.fifo_key IS NULL AND coalesce(d.endpoint_id = ANY (ARRAY(SELECT id FROM endpoints WHERE paused_until > $${now})), false)) AS park
        FROM ${deliveryRows(first)}
      ) u`;
}

/**
 * Ingest of events that are all new, in one statement (see queue.ts). Data-modifying CTEs share one
 * snapshot: `clash` stops every insert when any id is already stored, and deliveries are inserted
 * only for the events this statement inserted. `queued_work`: whether any delivery is due to be
 * claimed (neither handed over nor parked), for the NOTIFY sent after the commit (work-announcer.ts).
 */
export const INGEST_NEW_EVENTS: Named = {
  name: 'hookd_ingest_new_events',
  text: `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[])
        AS t(id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at, ordering_key)
    ),
    clash AS (SELECT 1 FROM events WHERE id IN (SELECT id FROM input) LIMIT 1),
    new_accounts AS (
      INSERT INTO accounts (id, created_at, updated_at)
      SELECT DISTINCT account_id, $10::bigint, $10::bigint FROM input
      WHERE account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM clash)
      ON CONFLICT (id) DO NOTHING
    ),
    created AS (
      INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at, ordering_key)
      SELECT * FROM input WHERE NOT EXISTS (SELECT 1 FROM clash)
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ),
    queued AS (
      INSERT INTO deliveries (${DELIVERY_INSERT_COLUMNS}, parked)
      SELECT * FROM (${parkedAtIngest(11, 10)}) AS n
      WHERE n.event_id IN (SELECT id FROM created)
      RETURNING id, status, lease_owner, parked
    )
    SELECT array(SELECT id FROM created) AS created, array(SELECT id FROM queued WHERE parked = 1) AS parked,
      EXISTS (SELECT 1 FROM queued WHERE ${QUEUED} AND parked = 0) AS queued_work`,
};

export const INSERT_ACCOUNTS =
  'INSERT INTO accounts (id, created_at, updated_at) SELECT id, $2, $2 FROM unnest($1::text[]) AS a(id) ON CONFLICT (id) DO NOTHING';

/** ON CONFLICT DO NOTHING: a concurrent insert of the same id waits for the other transaction, then finds its row. */
export const INSERT_EVENTS = `INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at, ordering_key)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[])
  ON CONFLICT (id) DO NOTHING RETURNING id`;

/**
 * Ingest's deliveries (the transaction path): those to a paused endpoint parked (parkedAtIngest),
 * their ids returned. $17: now.
 */
export const INGEST_DELIVERIES = `WITH inserted AS (
    INSERT INTO deliveries (${DELIVERY_INSERT_COLUMNS}, parked)
    ${parkedAtIngest(1, 17)}
    RETURNING id, parked
  )
  SELECT array(SELECT id FROM inserted WHERE parked = 1) AS parked`;

/** A fan-out to many endpoints is one statement. */
export const INSERT_DELIVERIES = `INSERT INTO deliveries (${DELIVERY_INSERT_COLUMNS}) SELECT * FROM ${deliveryRows(1)}`;

const DELIVERY_COLUMNS = `id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
  last_status_code, last_error, correlation_id, single_attempt, created_at, completed_at, lease_owner, fifo_key`;

/**
 * The endpoints paused at $3, read once per claim through endpoints_paused (an InitPlan), which the
 * claims below filter out: a pause burns none of its deliveries' attempts. Written as a correlated
 * NOT EXISTS it let PostgreSQL's generic plan of the per-account claim give up the index order of
 * the due deliveries: with a large backlog each claim took long enough that delivery fell to about
 * one claim a second (bench: 10 endpoints, 200,000 deliveries). Callback deliveries have no
 * endpoint: coalesce keeps them (`NULL <> ALL (…)` would be null when any endpoint is paused).
 */
const PAUSED_ENDPOINTS = 'SELECT id FROM endpoints WHERE paused_until > $3';

/**
 * SKIP LOCKED: nodes claiming at the same moment take disjoint rows instead of waiting on each
 * other. Deliveries of a paused endpoint are skipped; the rows locked are the deliveries' only.
 * The claim writes the lease only, a HOT update (lease-state.ts); rows already leased are still in
 * deliveries_due and are skipped by `lease_owner IS NULL`.
 */
export const CLAIM: Named = {
  name: 'hookd_claim',
  text: `UPDATE deliveries SET lease_owner = $1, lease_expires_at = $2
    WHERE id IN (
      SELECT id FROM deliveries d WHERE status = 'pending' AND parked = 0 AND next_attempt_at <= $3 AND lease_owner IS NULL
        AND coalesce(d.endpoint_id, '') <> ALL (ARRAY(${PAUSED_ENDPOINTS}))
      ORDER BY next_attempt_at LIMIT $4 FOR UPDATE OF d SKIP LOCKED
    )
    RETURNING ${DELIVERY_COLUMNS}`,
};

/**
 * Fair shares between accounts (src/delivery/admission.ts): the accounts (provider-level: '') with
 * deliveries due, in key order from `$1` (after it with `>`, from it with `>=`), at most $3. A skip
 * scan over deliveries_due_by_account: one index descent per account with pending work, whatever
 * its backlog, and one more to see whether any of it is due at $2.
 */
function dueAccounts(name: string, from: '>' | '>='): Named {
  return {
    name,
    text: `WITH RECURSIVE accounts(account) AS (
        (SELECT coalesce(account_id, '') FROM deliveries WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') ${from} $1 ORDER BY 1 LIMIT 1)
        UNION ALL
        SELECT (SELECT coalesce(d.account_id, '') FROM deliveries d
            WHERE d.status = 'pending' AND d.parked = 0 AND coalesce(d.account_id, '') > a.account ORDER BY 1 LIMIT 1)
        FROM accounts a WHERE a.account IS NOT NULL
      )
      SELECT account FROM accounts
      WHERE account IS NOT NULL AND EXISTS (
        SELECT 1 FROM deliveries d WHERE d.status = 'pending' AND d.parked = 0 AND coalesce(d.account_id, '') = account AND d.next_attempt_at <= $2
          AND d.lease_owner IS NULL
      )
      LIMIT $3`,
  };
}

export const DUE_ACCOUNTS_AFTER = dueAccounts('hookd_due_accounts_after', '>');
export const DUE_ACCOUNTS_FROM = dueAccounts('hookd_due_accounts_from', '>=');

/**
 * CLAIM with a limit per account ($4 the accounts, $5 their limits): each account's due
 * deliveries oldest first, so that the oldest due work of one account does not keep every other
 * account's from being claimed. Same lease, SKIP LOCKED and skipping of paused endpoints as CLAIM
 * (an account whose due work is all paused is still listed by dueAccounts and claims nothing).
 */
export const CLAIM_PER_ACCOUNT: Named = {
  name: 'hookd_claim_per_account',
  text: `UPDATE deliveries SET lease_owner = $1, lease_expires_at = $2
    WHERE id IN (
      SELECT c.id FROM unnest($4::text[], $5::int[]) AS a(account, n)
      CROSS JOIN LATERAL (
        SELECT id FROM deliveries d WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') = a.account AND next_attempt_at <= $3
          AND lease_owner IS NULL
          AND coalesce(d.endpoint_id, '') <> ALL (ARRAY(${PAUSED_ENDPOINTS}))
        ORDER BY next_attempt_at LIMIT a.n FOR UPDATE OF d SKIP LOCKED
      ) c
    )
    RETURNING ${DELIVERY_COLUMNS}`,
};

/** The parts of RECORD_RESULTS (below). */
const INSERT_ATTEMPTS = `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, error, request_headers,
      response_headers, response_body, request_method, request_url, request_body, request_body_source)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[], $7::text[], $8::text[],
      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])`;

/**
 * Each delivery's state after its attempt, only where this worker still holds the lease. `id =
 * ANY($1)` bounds the rows read by the batch: joined with the unnest alone, the planner read every
 * leased row (deliveries_leased, and the dead entries not yet vacuumed) to hash-join them. The
 * lease alone says the row is held (only a held row has an owner, lease-state.ts); a condition on
 * `status = 'pending'` would let the planner walk all of deliveries_due instead of the batch's ids.
 */
const WRITE_DELIVERY_STATES = `UPDATE deliveries d SET status = r.status, attempts = d.attempts + r.made, next_attempt_at = r.next_attempt_at,
      last_status_code = r.last_status_code, last_error = r.last_error, completed_at = r.completed_at,
      single_attempt = 0, lease_owner = NULL, lease_expires_at = NULL
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[], $8::bigint[])
      AS r(id, owner, status, made, next_attempt_at, last_status_code, last_error, completed_at)
    WHERE d.id = ANY($1::text[]) AND d.id = r.id AND d.lease_owner = r.owner
    RETURNING d.id`;

const TRACK_HEALTH = `UPDATE endpoints e SET
      failing_since = CASE WHEN h.restart = 1 THEN h.since ELSE coalesce(e.failing_since, h.since) END,
      failure_count = CASE WHEN h.restart = 1 THEN h.failures ELSE e.failure_count + h.failures END
    FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[]) AS h(id, restart, since, failures)
    WHERE e.id = h.id AND (h.failures > 0 OR e.failing_since IS NOT NULL)`;

/** `text` with each parameter $n renumbered $(n + by), to place it after another statement's parameters. */
function shiftParameters(text: string, by: number): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + by}`);
}

/**
 * A batch's rollups (one row per endpoint and minute, see attempt-rollups.ts) added to their rows.
 * Each connection writes its own shard of a minute (one of 8, by backend pid), so batches
 * committing at once on several connections or nodes rarely wait for each other on one busy
 * endpoint's row; readers sum over the shards. The fourth part of RECORD_RESULTS.
 */
const UPSERT_ROLLUPS = `INSERT INTO endpoint_attempt_rollups (endpoint_id, minute_start, shard, min_ms, max_ms, ${ADDED_COLUMNS.join(', ')})
    SELECT r.endpoint_id, r.minute_start, pg_backend_pid() % 8, r.min_ms, r.max_ms, ${ADDED_COLUMNS.map((c) => `r.${c}`).join(', ')}
    FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], ${ADDED_COLUMNS.map((_, i) => `$${i + 5}::int[]`).join(', ')})
      AS r(endpoint_id, minute_start, min_ms, max_ms, ${ADDED_COLUMNS.join(', ')})
    ON CONFLICT (endpoint_id, minute_start, shard) DO UPDATE SET ${rollupUpdates('least', 'greatest')}`;

/**
 * A batch of results in one statement, so one round trip and no BEGIN/COMMIT (a statement is its
 * own transaction): the attempts ($1–$14), the deliveries' new states under their leases ($15–$22),
 * the endpoints' health ($23–$26) and the stats rollups ($27 on, one row per endpoint and minute of
 * the batch, so no row is upserted twice). Returns the deliveries whose state was written. The
 * parts touch different tables, so sharing one snapshot changes nothing: each UPDATE still rechecks
 * a row a concurrent batch changed meanwhile, as it did as a statement of its own.
 */
export const RECORD_RESULTS: Named = {
  name: 'hookd_record_results',
  text: `WITH recorded AS (${INSERT_ATTEMPTS}),
    written AS (${shiftParameters(WRITE_DELIVERY_STATES, 14)}),
    health AS (${shiftParameters(TRACK_HEALTH, 22)}),
    rollups AS (${shiftParameters(UPSERT_ROLLUPS, 26)})
    SELECT id FROM written`,
};
