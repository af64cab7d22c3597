import { FINAL_DELIVERY_STATUSES } from '../../domain/types.js';
import type { SqlDb } from '../dialect.js';
import type { AttemptRecord, QueueStats, QueueStore } from '../store.js';
import type { EndedLink } from './fifo-chains.js';

// The queue statements that are the same on both dialects. The hot ones (ingest, claim, recording
// results) are each dialect's own: SQLite names its partial index, PostgreSQL skips locked rows
// and writes batches with unnest arrays.

/** Deliveries given back by their lease holder (shutdown, or a lane too full). */
export function releaseDeliveries(db: SqlDb): string {
  return `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
    WHERE ${db.inList('id')} AND lease_owner = ? AND ${db.leased}`;
}

/** The chain link a worker's result ends (a delivery of a FIFO chain that is now final), or null. */
export function endedLink(record: AttemptRecord): EndedLink | null {
  if (record.fifoKey == null || record.endpointId === null || !FINAL_DELIVERY_STATUSES.includes(record.status)) return null;
  // A claimed delivery was not waiting for anything.
  return { id: record.deliveryId, endpointId: record.endpointId, fifoKey: record.fifoKey, blockedBy: null };
}

/** A 410 Gone disables the delivery's endpoint with the attempt's result (only if the result was written under its lease). */
export function disableEndpointOfDelivery(db: SqlDb): string {
  return `UPDATE endpoints SET active = 0, spec = ${db.specWithDisabledReason()}, updated_at = ?
    WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = ?) AND active = 1`;
}

/** A node's heartbeat: its row is written (or re-written, were it taken for dead meanwhile) with the time it was seen. */
export const BEAT = `INSERT INTO nodes (id, started_at, seen_at) VALUES (?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`;

/** Leases their holder still has, extended; a delivery taken over or finished meanwhile is left alone. */
export function renewLeases(db: SqlDb): string {
  return `UPDATE deliveries SET lease_expires_at = ?
    WHERE ${db.inList('id')} AND lease_owner = ? AND ${db.leased} RETURNING id`;
}

/** Nodes (other than the asking one) whose heartbeat stopped before the cutoff: they are dead. */
export const DEAD_NODES = 'SELECT id FROM nodes WHERE seen_at < ? AND id <> ?';

/**
 * The deliveries dead nodes held become pending again. Both conditions are checked again here: a
 * node seen meanwhile keeps its leases (it was slow, not dead). A partial index of the queue is
 * walked, never the history: SQLite's of leased rows, PostgreSQL's of pending ones (lease-state.ts).
 */
export function releaseLeasesOf(db: SqlDb): string {
  return `UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL
    WHERE ${db.leased} AND lease_owner IN (SELECT id FROM nodes WHERE ${db.inList('id')} AND seen_at < ?)`;
}

/** Dead nodes are forgotten once their leases are taken back (a node seen meanwhile writes its row again anyway). */
export function forgetNodes(db: SqlDb): string {
  return `DELETE FROM nodes WHERE ${db.inList('id')} AND seen_at < ?`;
}

type SharedQueue = Pick<QueueStore, 'releaseDeliveries' | 'beat' | 'renewLeases' | 'releaseLeasesOfDeadNodes'>;

export function sharedQueue(db: SqlDb): SharedQueue {
  const release = releaseDeliveries(db);
  const renew = renewLeases(db);
  const releaseOfDead = releaseLeasesOf(db);
  const forget = forgetNodes(db);
  return {
    async releaseDeliveries(ids, owner, nextAttemptAt) {
      if (ids.length === 0) return;
      await db.run(release, [nextAttemptAt, db.list(ids), owner]);
    },
    async beat(owner, now) {
      await db.run(BEAT, [owner, now, now]);
    },
    async renewLeases(ids, owner, until) {
      if (ids.length === 0) return [];
      return (await db.all<{ id: string }>(renew, [until, db.list(ids), owner])).map((row) => row.id);
    },
    async releaseLeasesOfDeadNodes(owner, deadBefore) {
      // Nearly always no node is dead: one read of the small nodes table, and nothing more.
      const dead = (await db.all<{ id: string }>(DEAD_NODES, [deadBefore, owner])).map((row) => row.id);
      if (dead.length === 0) return 0;
      const released = await db.run(releaseOfDead, [db.list(dead), deadBefore]);
      await db.run(forget, [db.list(dead), deadBefore]);
      return released;
    },
  };
}

/** The counts each dialect's queue-stats statement reads, before they become QueueStats. */
export interface QueueCounts {
  /** Due, not parked and not leased. */
  due: number;
  parked: number;
  scheduled: number;
  sending: number;
  waiting: number;
  /** The earliest next_attempt_at of the rows that are neither leased nor parked, and of the parked ones (null: none). */
  oldest: number | null;
  oldestParked: number | null;
}

/** Parked deliveries (of paused endpoints, shared/parking.ts) were due when parked: they count as due, waiting for their endpoint. */
export function queueStatsOf(counts: QueueCounts, now: number): QueueStats {
  const oldest = Math.min(...[counts.oldest, counts.oldestParked].flatMap((at) => (at === null ? [] : [at])));
  return {
    due: counts.due + counts.parked,
    scheduled: counts.scheduled,
    sending: counts.sending,
    waiting: counts.waiting,
    oldestDueAt: oldest <= now ? oldest : null,
  };
}
