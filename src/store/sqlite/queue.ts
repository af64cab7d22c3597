import type { Delivery } from '../../domain/types.js';
import { ADDED_COLUMNS, attemptRollups, rollupUpdates } from '../attempt-rollups.js';
import { failureRunChanges, type FailureRunChange } from '../failure-runs.js';
import * as rows from '../rows.js';
import { ENSURE_ACCOUNT, ensureAccountParams } from '../shared/keys.js';
import { sharedParking } from '../shared/parking.js';
import { disableEndpointOfDelivery, endedLink, sharedQueue } from '../shared/queue.js';
import { createdOutcome, type AttemptRecord, type DeliveryLease, type IngestOutcome, type NewEvent, type QueueStore } from '../store.js';
import type { SqliteDb } from './connection.js';
import { sqliteQueueStats } from './queue-stats.js';
import { linkNewDeliveries, unlink } from './fifo-chains.js';
import { SQLITE_PARKING } from './parking.js';

// The queue on SQLite: one process, one writer, so one path for everything (each call one
// transaction), and the claim names its partial index.

/** One (endpoint, minute) of a batch added to its rollup row (SQLite's two-argument min and max). */
const UPSERT_ROLLUP = `INSERT INTO endpoint_attempt_rollups (endpoint_id, minute_start, min_ms, max_ms, ${ADDED_COLUMNS.join(', ')})
  VALUES (${new Array(4 + ADDED_COLUMNS.length).fill('?').join(', ')})
  ON CONFLICT (endpoint_id, minute_start) DO UPDATE SET ${rollupUpdates('min', 'max')}`;

/**
 * Fair shares between accounts: the accounts (provider-level: '') with deliveries due at the second
 * parameter, in key order from the first (after it with `>`, from it with `>=`), at most the third.
 * A skip scan over deliveries_due_by_account: one index descent per account with pending work.
 */
const DUE_ACCOUNTS = (from: '>' | '>='): string => `WITH RECURSIVE accounts(account) AS (
    SELECT (SELECT coalesce(account_id, '') FROM deliveries INDEXED BY deliveries_due_by_account
      WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') ${from} ? ORDER BY 1 LIMIT 1)
    UNION ALL
    SELECT (SELECT coalesce(d.account_id, '') FROM deliveries d INDEXED BY deliveries_due_by_account
        WHERE d.status = 'pending' AND d.parked = 0 AND coalesce(d.account_id, '') > a.account ORDER BY 1 LIMIT 1)
    FROM accounts a WHERE a.account IS NOT NULL
  )
  SELECT account FROM accounts
  WHERE account IS NOT NULL AND EXISTS (
    SELECT 1 FROM deliveries d INDEXED BY deliveries_due_by_account
    WHERE d.status = 'pending' AND d.parked = 0 AND coalesce(d.account_id, '') = account AND d.next_attempt_at <= ?
  )
  LIMIT ?`;

const NO_ENDPOINTS: ReadonlySet<string> = new Set();

export function sqliteQueue(db: SqliteDb): QueueStore {
  /**
   * Inserts deliveries, leased to `handOff` when given; those in `parkFor` (to a paused endpoint,
   * not ordered) are parked instead. Returns the ids of those parked.
   */
  const insertDeliveries = (planned: Delivery[], handOff: DeliveryLease | null, parkFor: ReadonlySet<string> = NO_ENDPOINTS): Set<string> => {
    const parked = new Set<string>();
    for (const d of linkNewDeliveries(db, planned)) {
      const park = d.fifoKey == null && d.endpointId !== null && parkFor.has(d.endpointId);
      if (park) parked.add(d.id);
      // An ordered delivery is never handed over: it may have to wait, and it is claimed in its turn.
      const lease = d.fifoKey == null && !park ? handOff : null;
      db.runNow(
        `INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
           correlation_id, created_at, single_attempt, lease_owner, lease_expires_at, fifo_key, blocked_by, parked)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          d.id,
          d.eventId,
          d.endpointId,
          d.accountId,
          d.eventType,
          d.url,
          lease === null ? d.status : 'sending',
          d.attempts,
          d.nextAttemptAt,
          d.correlationId,
          d.createdAt,
          d.singleAttempt ? 1 : 0,
          lease?.owner ?? null,
          lease?.until ?? null,
          d.fifoKey ?? null,
          d.blockedBy ?? null,
          park ? 1 : 0,
        ],
      );
    }
    return parked;
  };

  const ingestOne = (item: NewEvent, dedupeSince: number, now: number, paused: ReadonlySet<string>): IngestOutcome => {
    const { event } = item;
    if (item.clientId) {
      const existing = db.oneNow<rows.EventRow>('SELECT * FROM events WHERE id = ?', [event.id]);
      if (existing !== undefined) {
        const stored = rows.toEvent(existing);
        if (existing.created_at < dedupeSince) return { outcome: 'conflict', event: stored };
        const count = db.oneNow<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE event_id = ?', [event.id])!.n;
        return { outcome: 'duplicate', event: stored, deliveries: count };
      }
    }
    if (event.accountId !== null) db.runNow(ENSURE_ACCOUNT, ensureAccountParams(event.accountId, now));
    db.runNow(
      `INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at, ordering_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        event.id,
        event.type,
        event.accountId,
        event.payload,
        event.correlationId,
        event.callbackUrl,
        event.occurredAt,
        event.createdAt,
        event.orderingKey ?? null,
      ],
    );
    return createdOutcome(item, insertDeliveries(item.deliveries, item.lease ?? null, paused));
  };

  const recordAttempt = (record: AttemptRecord): void => {
    const { attempt } = record;
    // The attempt happened, so it is recorded even if the lease was lost meanwhile; the delivery's
    // state is only changed by the worker that still holds it.
    if (attempt !== null) {
      db.runNow(
        `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, error, request_headers,
           response_headers, response_body, request_method, request_url, request_body, request_body_source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          attempt.id,
          attempt.deliveryId,
          record.endpointId,
          attempt.startedAt,
          attempt.durationMs,
          attempt.statusCode,
          attempt.error,
          JSON.stringify(attempt.requestHeaders),
          JSON.stringify(attempt.responseHeaders),
          attempt.responseBody,
          attempt.requestMethod ?? null,
          attempt.requestUrl ?? null,
          rows.storedRequestBody(attempt),
          attempt.requestBodySource ?? null,
        ],
      );
    }
    const updated = db.runNow(
      `UPDATE deliveries SET status = ?, attempts = attempts + ?, next_attempt_at = ?, last_status_code = ?,
         last_error = ?, completed_at = ?, single_attempt = 0, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
      [
        record.status,
        attempt === null ? 0 : 1,
        record.nextAttemptAt,
        record.lastStatusCode,
        record.lastError,
        record.completedAt,
        record.deliveryId,
        record.leaseOwner,
      ],
    );
    if (record.disableEndpoint !== null && updated > 0) {
      db.runNow(disableEndpointOfDelivery(db), [record.disableEndpoint, record.completedAt ?? 0, record.deliveryId]);
    }
    // A delivery of a FIFO chain that ended: its successor takes over in the same transaction.
    const ended = updated > 0 ? endedLink(record) : null;
    if (ended !== null) unlink(db, [ended], record.completedAt ?? 0);
  };

  /** An endpoint's failure run after a batch (see failure-runs.ts); unchanged runs are not written. */
  const trackHealth = (change: FailureRunChange): void => {
    if (change.restart) {
      db.runNow('UPDATE endpoints SET failing_since = ?, failure_count = ? WHERE id = ? AND (? > 0 OR failing_since IS NOT NULL)', [
        change.since,
        change.failures,
        change.endpointId,
        change.failures,
      ]);
    } else {
      db.runNow('UPDATE endpoints SET failing_since = coalesce(failing_since, ?), failure_count = failure_count + ? WHERE id = ?', [
        change.since,
        change.failures,
        change.endpointId,
      ]);
    }
  };

  return {
    dialect: 'sqlite',
    ...sharedQueue(db),
    ...sharedParking(db, SQLITE_PARKING),
    queueStats: (now) => sqliteQueueStats(db, now),
    async ingestEvents(events, dedupeSince, now) {
      try {
        return db.transaction(() => {
          // Read in the transaction that inserts: a pause begun or ended meanwhile cannot be missed.
          const paused = new Set(db.allNow<{ id: string }>('SELECT id FROM endpoints WHERE paused_until > ?', [now]).map((row) => row.id));
          const outcomes = events.map((item) => ingestOne(item, dedupeSince, now, paused));
          // All or nothing: a batch with a conflicting id stores none of its events.
          if (outcomes.some((outcome) => outcome.outcome === 'conflict')) throw new RollBack(outcomes);
          return outcomes;
        });
      } catch (error) {
        if (error instanceof RollBack) return error.outcomes;
        throw error;
      }
    },
    async insertDeliveries(deliveries) {
      db.transaction(() => insertDeliveries(deliveries, null));
    },
    async claimDueDeliveries(owner, now, limit, leaseUntil) {
      // One statement: the inner select walks the partial index of pending rows in due order. It is
      // named: left to itself the planner may pick another index and sort every pending row, which
      // makes each claim as slow as the backlog is long. It yields rowids, so each row is then found
      // directly rather than through the id index. Deliveries of a paused endpoint are skipped (one
      // primary-key lookup per due row), so a pause burns none of their attempts.
      return db
        .allNow<rows.DeliveryRow>(
          `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_expires_at = ?
           WHERE rowid IN (
             SELECT rowid FROM deliveries INDEXED BY deliveries_due
             WHERE status = 'pending' AND parked = 0 AND next_attempt_at <= ?
               AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = deliveries.endpoint_id AND e.paused_until > ?)
             ORDER BY next_attempt_at LIMIT ?
           )
           RETURNING *`,
          [owner, leaseUntil, now, now, limit],
        )
        .map(rows.toClaimedDelivery);
    },
    async dueAccounts(now, after, max) {
      // From the start ('' is the lowest key, provider-level deliveries) or after the last served.
      const found = db.allNow<{ account: string }>(DUE_ACCOUNTS(after === '' ? '>=' : '>'), [after, now, max]);
      if (found.length >= max || after === '') return found.map((row) => row.account);
      // Round the circle: from the first account again, up to `after` (the list has no duplicate).
      const again = db.allNow<{ account: string }>(DUE_ACCOUNTS('>='), ['', now, max - found.length]);
      return [...new Set([...found, ...again].map((row) => row.account))];
    },
    async claimDueDeliveriesOf(owner, now, limits, leaseUntil) {
      // One transaction, one statement per account, each walking its account's part of the index;
      // deliveries of a paused endpoint are skipped as in the claim above.
      return db.transaction(() =>
        limits.flatMap(({ account, limit }) =>
          db
            .allNow<rows.DeliveryRow>(
              `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_expires_at = ?
               WHERE rowid IN (
                 SELECT rowid FROM deliveries INDEXED BY deliveries_due_by_account
                 WHERE status = 'pending' AND parked = 0 AND coalesce(account_id, '') = ? AND next_attempt_at <= ?
                   AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = deliveries.endpoint_id AND e.paused_until > ?)
                 ORDER BY next_attempt_at LIMIT ?
               )
               RETURNING *`,
              [owner, leaseUntil, account, now, now, limit],
            )
            .map(rows.toClaimedDelivery),
        ),
      );
    },
    async recordAttempts(records) {
      db.transaction(() => {
        for (const record of records) recordAttempt(record);
        for (const change of failureRunChanges(records)) trackHealth(change);
        for (const r of attemptRollups(records)) {
          db.runNow(UPSERT_ROLLUP, [r.endpointId, r.minuteStart, r.minMs, r.maxMs, r.total, r.succeeded, ...r.latency]);
        }
      });
    },
    async releaseExpiredLeases(now) {
      return db.runNow(
        `UPDATE deliveries INDEXED BY deliveries_leased SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL
         WHERE status = 'sending' AND lease_expires_at < ?`,
        [now],
      );
    },
    async nextDueAt() {
      return (
        db.oneNow<{ at: number | null }>(
          "SELECT min(next_attempt_at) AS at FROM deliveries INDEXED BY deliveries_due WHERE status = 'pending' AND parked = 0",
        )?.at ?? null
      );
    },
    // One node, whose queue wakes its own worker: there is no one else to tell.
    onNewWork: () => () => undefined,
    announceNewWork: async () => undefined,
  };
}

/** Thrown inside a transaction to undo it while still returning what was found. */
class RollBack extends Error {
  constructor(readonly outcomes: IngestOutcome[]) {
    super('rolled back');
  }
}
