import type { Delivery } from '../../domain/types.js';
import * as rows from '../rows.js';
import {
  asLinked,
  FORGET_TAILS_OF_ENDPOINT,
  linkChain,
  newChains,
  RELEASE_WAITING_OF_ENDPOINT,
  unlinkSteps,
  UPSERT_TAIL,
  type EndedLink,
} from '../shared/fifo-chains.js';
import type { SqliteDb } from './connection.js';

// FIFO chains on SQLite (see ../shared/fifo-chains.ts): one writer, so the caller's transaction is
// all the serialising needed. Synchronous, to run inside better-sqlite3's transactions.

/** Links the new deliveries of `fifo` endpoints to their chains (see linkChain); returns them as they are to be inserted. */
export function linkNewDeliveries(db: SqliteDb, deliveries: Delivery[]): Delivery[] {
  const waits = new Map<string, string>();
  for (const chain of newChains(deliveries)) {
    const last = chain.members[chain.members.length - 1]!;
    const replaced = db.oneNow<{ previous_id: string | null }>(UPSERT_TAIL, [chain.endpointId, chain.fifoKey, last.id]);
    linkChain(chain, replaced?.previous_id ?? null, waits);
  }
  return asLinked(deliveries, waits);
}

/** Chain members that ended: each one's successor takes its place. */
export function unlink(db: SqliteDb, ended: EndedLink[], now: number): void {
  for (const link of ended) for (const [sql, params] of unlinkSteps(link, now)) db.runNow(sql, params);
}

/** Cancels a pending delivery; one of a chain gives its place to its successor in the same transaction. */
export function cancelDelivery(db: SqliteDb, id: string, now: number): Delivery | null {
  return db.transaction(() => {
    const before = db.oneNow<rows.DeliveryRow>('SELECT * FROM deliveries WHERE id = ?', [id]);
    const row = db.oneNow<rows.DeliveryRow>(
      `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, blocked_by = NULL, completed_at = ?
       WHERE id = ? AND status = 'pending' RETURNING *`,
      [now, id],
    );
    if (row === undefined || before === undefined) return null;
    if (before.endpoint_id !== null && before.fifo_key != null) {
      unlink(db, [{ id, endpointId: before.endpoint_id, fifoKey: before.fifo_key, blockedBy: before.blocked_by ?? null }], now);
    }
    return rows.toDelivery(row);
  });
}

/** The endpoint no longer orders its deliveries: its chains are forgotten and what waited is due now. Returns how many. */
export function releaseChainsOf(db: SqliteDb, endpointId: string, now: number): number {
  if (db.runNow(FORGET_TAILS_OF_ENDPOINT, [endpointId]) === 0) return 0;
  return db.runNow(RELEASE_WAITING_OF_ENDPOINT, [now, endpointId]);
}
