import { attemptRollups, LATENCY_COLUMNS } from '../attempt-rollups.js';
import { failureRunChanges } from '../failure-runs.js';
import * as rows from '../rows.js';
import { sharedParking } from '../shared/parking.js';
import { disableEndpointOfDelivery, endedLink, sharedQueue } from '../shared/queue.js';
import { createdOutcome, queuedDeliveries, type AttemptRecord, type IngestOutcome, type NewEvent, type QueueStore } from '../store.js';
import type { PgQueries, PostgresDb } from './connection.js';
import { QUEUED } from './lease-state.js';
import { POSTGRES_PARKING } from './parking.js';
import { postgresQueueStats } from './queue-stats.js';
import {
  CLAIM,
  CLAIM_PER_ACCOUNT,
  DUE_ACCOUNTS_AFTER,
  DUE_ACCOUNTS_FROM,
  deliveryColumns,
  eventColumns,
  INGEST_NEW_EVENTS,
  INGEST_DELIVERIES,
  INSERT_ACCOUNTS,
  INSERT_DELIVERIES,
  INSERT_EVENTS,
  queuedOf,
  RECORD_RESULTS,
  type Queued,
} from './queue-statements.js';
import { coalescedAnnouncer } from './work-announcer.js';
import { WORK_CHANNEL } from './work-channel.js';
import { linkNewDeliveries, unlinkFinished } from './fifo-chains.js';

// The queue on PostgreSQL, for several nodes on one database. Ingest has two paths (see
// docs/decisions.md, "Delivery queue and stores by concern"): events that are all new go in one
// statement, its own transaction (one round trip, where BEGIN, inserts, NOTIFY and COMMIT take
// five); anything else (an id already stored, or repeated within the call) in one transaction of
// a few batch statements that sorts out duplicates and conflicts. Either way the workers hear of
// queued work by a NOTIFY sent after the commit (work-announcer.ts).

const NOTIFY = `NOTIFY ${WORK_CHANNEL}`;

export function postgresQueue(db: PostgresDb): QueueStore {
  // Over the pool, not the listening connection: the listening connection may be down or
  // reconnecting, and a node that runs no worker (HOOKD_ROLE=api) must still wake the workers of
  // the other nodes.
  const announce = coalescedAnnouncer(() => db.run(NOTIFY));
  /** Inserts deliveries (ordered ones linked to their chains first); with `parkAt`, parks those to endpoints paused then and returns their ids. */
  const insertDeliveries = async (queued: Queued[], tx: PgQueries, parkAt: number | null): Promise<Set<string>> => {
    if (queued.length === 0) return new Set();
    const linked = await linkNewDeliveries(
      tx,
      queued.map((item) => item.delivery),
    );
    const columns = deliveryColumns(queued.map((item, i) => ({ ...item, delivery: linked[i]! })));
    if (parkAt === null) {
      await tx.run(INSERT_DELIVERIES, columns);
      return new Set();
    }
    const row = await tx.one<{ parked: string[] }>(INGEST_DELIVERIES, [...columns, parkAt]);
    return new Set(row?.parked ?? []);
  };

  /** An event whose id is already stored: the same client id within the window is a duplicate, anything else a conflict. */
  const existingOutcome = async (item: NewEvent, dedupeSince: number, on: PgQueries): Promise<IngestOutcome> => {
    const existing = (await on.one<rows.EventRow>('SELECT * FROM events WHERE id = $1', [item.event.id]))!;
    const stored = rows.toEvent(existing);
    if (!item.clientId || existing.created_at < dedupeSince) return { outcome: 'conflict', event: stored };
    const count = (await on.one<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE event_id = $1', [item.event.id]))!.n;
    return { outcome: 'duplicate', event: stored, deliveries: count };
  };

  /**
   * The common case: every event is new. If any id is already stored it writes nothing and
   * returns null. An event inserted meanwhile by a concurrent request (after this statement's
   * snapshot) is skipped by ON CONFLICT: it is answered as what it is, a duplicate, beside the
   * events stored here.
   */
  const ingestNewEvents = async (events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[] | null> => {
    const ids = events.map((item) => item.event.id);
    if (events.length === 0 || new Set(ids).size < ids.length) return null;
    // Ordered deliveries are linked to their chains first (fifo-chains.ts): the transaction path.
    if (events.some((item) => item.deliveries.some((delivery) => delivery.fifoKey != null))) return null;
    const row = await db.one<{ created: string[]; parked: string[]; queued_work: boolean }>(INGEST_NEW_EVENTS, [
      ...eventColumns(events),
      now,
      ...deliveryColumns(queuedOf(events)),
    ]);
    const created = new Set(row?.created ?? []);
    if (created.size === 0) return null;
    if (row?.queued_work === true) void announce();
    const parked = new Set(row?.parked ?? []);
    const outcomes: IngestOutcome[] = [];
    for (const item of events) {
      outcomes.push(created.has(item.event.id) ? createdOutcome(item, parked) : await existingOutcome(item, dedupeSince, db));
    }
    return outcomes;
  };

  /**
   * Everything else, in a few statements whatever the batch size: the accounts, every event with
   * ON CONFLICT DO NOTHING, the deliveries of the events that were new, then the outcome of each
   * event that was not. An id repeated within the call is inserted once, by its first occurrence;
   * the later ones find it stored, as they would one call after the other.
   */
  const ingestInTransaction = async (events: NewEvent[], dedupeSince: number, now: number, tx: PgQueries): Promise<IngestOutcome[]> => {
    const accounts = [...new Set(events.flatMap((item) => (item.event.accountId === null ? [] : [item.event.accountId])))];
    if (accounts.length > 0) await tx.run(INSERT_ACCOUNTS, [accounts, now]);
    const inserted = new Set((await tx.all<{ id: string }>(INSERT_EVENTS, eventColumns(events))).map((row) => row.id));
    const first = new Map<string, number>();
    for (const [index, item] of events.entries()) if (!first.has(item.event.id)) first.set(item.event.id, index);
    const isCreated = (item: NewEvent, index: number): boolean => inserted.has(item.event.id) && first.get(item.event.id) === index;
    const parked = await insertDeliveries(queuedOf(events.filter(isCreated)), tx, now);
    const outcomes: IngestOutcome[] = [];
    for (const [index, item] of events.entries()) {
      outcomes.push(isCreated(item, index) ? createdOutcome(item, parked) : await existingOutcome(item, dedupeSince, tx));
    }
    return outcomes;
  };

  const disableEndpoint = disableEndpointOfDelivery(db);

  return {
    dialect: 'postgres',
    ...sharedQueue(db),
    ...sharedParking(db, POSTGRES_PARKING),
    queueStats: (now) => postgresQueueStats(db, now),
    async ingestEvents(events, dedupeSince, now) {
      const stored = await ingestNewEvents(events, dedupeSince, now);
      if (stored !== null) return stored;
      try {
        const outcomes = await db.transaction(async (tx) => {
          const outcomes = await ingestInTransaction(events, dedupeSince, now, tx);
          if (outcomes.some((outcome) => outcome.outcome === 'conflict')) throw new RollBack(outcomes);
          return outcomes;
        });
        const queued = outcomes.some(
          (outcome, i) => queuedDeliveries(events[i]!, outcome).some((delivery) => !events[i]!.lease || delivery.fifoKey != null),
        );
        if (queued) void announce();
        return outcomes;
      } catch (error) {
        if (error instanceof RollBack) return error.outcomes;
        throw error;
      }
    },
    async insertDeliveries(deliveries) {
      await db.transaction(async (tx) => {
        await insertDeliveries(
          deliveries.map((delivery) => ({ delivery, lease: null })),
          tx,
          null,
        );
      });
      if (deliveries.length > 0) void announce();
    },
    async claimDueDeliveries(owner, now, limit, leaseUntil) {
      return (await db.all<rows.DeliveryRow>(CLAIM, [owner, leaseUntil, now, limit])).map(rows.toClaimedDelivery);
    },
    async dueAccounts(now, after, max) {
      // From the start ('' is the lowest key, provider-level deliveries) or after the last served.
      const found = await db.all<{ account: string }>(after === '' ? DUE_ACCOUNTS_FROM : DUE_ACCOUNTS_AFTER, [after, now, max]);
      if (found.length >= max || after === '') return found.map((row) => row.account);
      // Round the circle: from the first account again, up to `after` (the list has no duplicate).
      const again = await db.all<{ account: string }>(DUE_ACCOUNTS_FROM, ['', now, max - found.length]);
      return [...new Set([...found, ...again].map((row) => row.account))];
    },
    async claimDueDeliveriesOf(owner, now, limits, leaseUntil) {
      if (limits.length === 0) return [];
      const params = [owner, leaseUntil, now, limits.map((entry) => entry.account), limits.map((entry) => entry.limit)];
      return (await db.all<rows.DeliveryRow>(CLAIM_PER_ACCOUNT, params)).map(rows.toClaimedDelivery);
    },
    async recordAttempts(records) {
      if (records.length === 0) return;
      // The delivery's state is only changed by the worker that still holds it. Were a delivery
      // recorded twice in one batch, the first record wins, as it would one after the other.
      const seen = new Set<string>();
      const states = records.filter((record) => !seen.has(record.deliveryId) && seen.add(record.deliveryId));
      const params = resultColumns(records, states);
      // One statement, one round trip, whatever the batch size (docs/performance.md, "PostgreSQL per
      // delivery"). Only a 410 Gone, which disables an endpoint once its result is written, needs
      // a transaction around it and the rare statements after.
      // So do deliveries of a FIFO chain that end: their successors take over in the same transaction.
      if (states.every((record) => record.disableEndpoint === null && endedLink(record) === null)) {
        await db.run(RECORD_RESULTS, params);
        return;
      }
      await db.transaction(async (tx) => {
        const updated = new Set((await tx.all<{ id: string }>(RECORD_RESULTS, params)).map((row) => row.id));
        const ended = states.flatMap((record) => {
          const link = updated.has(record.deliveryId) ? endedLink(record) : null;
          return link === null ? [] : [link];
        });
        await unlinkFinished(tx, ended, Math.max(...states.map((record) => record.completedAt ?? 0)));
        for (const record of states) {
          if (record.disableEndpoint === null || !updated.has(record.deliveryId)) continue;
          await tx.run(disableEndpoint, [record.disableEndpoint, record.completedAt ?? 0, record.deliveryId]);
        }
      });
    },
    releaseExpiredLeases(now) {
      // No index covers the lease (it would make the claim a non-HOT update): the due deliveries
      // are walked instead (deliveries_due). A leased delivery was due when it was claimed, so
      // before its lease ran out; what this reads grows with the due backlog, never the history.
      return db.run(
        `UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL
         WHERE status = 'pending' AND parked = 0 AND next_attempt_at < $1 AND lease_owner IS NOT NULL AND lease_expires_at < $1`,
        [now],
      );
    },
    async nextDueAt() {
      return (await db.one<{ at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE ${QUEUED} AND parked = 0`))?.at ?? null;
    },
    onNewWork: (listener) => db.work.subscribe(listener),
    announceNewWork: announce,
  };
}

/**
 * The parameters of RECORD_RESULTS: the attempts made (the attempt happened, so it is recorded
 * even if the lease was lost meanwhile), each delivery's new state, and each endpoint's failure
 * run folded once per batch (an endpoint whose run did not change is not written).
 */
function resultColumns(records: AttemptRecord[], states: AttemptRecord[]): unknown[][] {
  const attempts = records.flatMap((record) => (record.attempt === null ? [] : [{ record, attempt: record.attempt }]));
  const changes = failureRunChanges(records);
  const rollups = attemptRollups(records);
  return [
    attempts.map(({ attempt }) => attempt.id),
    attempts.map(({ attempt }) => attempt.deliveryId),
    attempts.map(({ record }) => record.endpointId),
    attempts.map(({ attempt }) => attempt.startedAt),
    attempts.map(({ attempt }) => attempt.durationMs),
    attempts.map(({ attempt }) => attempt.statusCode),
    attempts.map(({ attempt }) => attempt.error),
    attempts.map(({ attempt }) => JSON.stringify(attempt.requestHeaders)),
    attempts.map(({ attempt }) => JSON.stringify(attempt.responseHeaders)),
    // PostgreSQL text cannot hold NUL, which a receiver's body may contain.
    attempts.map(({ attempt }) => attempt.responseBody?.replaceAll('\u0000', '\uFFFD') ?? null),
    attempts.map(({ attempt }) => attempt.requestMethod ?? null),
    attempts.map(({ attempt }) => attempt.requestUrl ?? null),
    attempts.map(({ attempt }) => rows.storedRequestBody(attempt)?.replaceAll('\u0000', '\uFFFD') ?? null),
    attempts.map(({ attempt }) => attempt.requestBodySource ?? null),
    states.map((record) => record.deliveryId),
    states.map((record) => record.leaseOwner),
    states.map((record) => record.status),
    states.map((record) => (record.attempt === null ? 0 : 1)),
    states.map((record) => record.nextAttemptAt),
    states.map((record) => record.lastStatusCode),
    states.map((record) => record.lastError),
    states.map((record) => record.completedAt),
    changes.map((change) => change.endpointId),
    changes.map((change) => (change.restart ? 1 : 0)),
    changes.map((change) => change.since),
    changes.map((change) => change.failures),
    rollups.map((r) => r.endpointId),
    rollups.map((r) => r.minuteStart),
    rollups.map((r) => r.minMs),
    rollups.map((r) => r.maxMs),
    rollups.map((r) => r.total),
    rollups.map((r) => r.succeeded),
    ...LATENCY_COLUMNS.map((_, bucket) => rollups.map((r) => r.latency[bucket]!)),
  ];
}

/** Thrown inside a transaction to undo it while still returning what was found. */
class RollBack extends Error {
  constructor(readonly outcomes: IngestOutcome[]) {
    super('rolled back');
  }
}
