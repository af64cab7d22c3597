import type { Delivery } from '../../domain/types.js';

// Ordered delivery (README "Ordered delivery", docs/decisions.md): the deliveries of one `fifo`
// endpoint that share an ordering key form a chain, attempted one at a time in ingest order. The
// chain is kept as links, not found by a scan at claim time, so claims and results of unordered
// deliveries do not change at all:
//
// - fifo_tails holds, per chain with an unfinished delivery, its last delivery. Enqueuing upserts
//   it (on PostgreSQL the row lock serialises ingest of one key across nodes) and gets the tail it
//   replaced: the new delivery waits for that one.
// - A waiting delivery is `pending` with blocked_by set and no next_attempt_at, which no claim,
//   hand-off or due count ever sees.
// - When a delivery ends (in the transaction that records how), the tail row is moved back or
//   removed, and its successor takes over its place: due now if the ended one was not waiting
//   itself, else waiting for what the ended one waited for (a waiting delivery canceled).
//
// Every change to a chain first holds its tail row (PostgreSQL: FOR UPDATE, or the upsert), and
// reads the links in statements after that, so each sees what the one before it committed. While a
// chain has an unfinished delivery its tail row exists, and it names an unfinished delivery.

/** The deliveries of one chain in a batch, in ingest order. */
export interface NewChain {
  endpointId: string;
  fifoKey: string;
  members: Delivery[];
}

/** A chain member that ended, and what it was waiting for then (null: it was not waiting). */
export interface EndedLink {
  id: string;
  endpointId: string;
  fifoKey: string;
  blockedBy: string | null;
}

/**
 * The chains of new deliveries, each in ingest order, sorted by (endpoint, key): every writer takes
 * tail rows in that order, so two batches never wait for each other in a circle.
 */
export function newChains(deliveries: readonly Delivery[]): NewChain[] {
  const chains = new Map<string, NewChain>();
  for (const delivery of deliveries) {
    if (delivery.fifoKey == null || delivery.endpointId === null) continue;
    const id = JSON.stringify([delivery.endpointId, delivery.fifoKey]);
    let chain = chains.get(id);
    if (chain === undefined) {
      chain = { endpointId: delivery.endpointId, fifoKey: delivery.fifoKey, members: [] };
      chains.set(id, chain);
    }
    chain.members.push(delivery);
  }
  return [...chains.values()].sort((a, b) => compareChains(a, b));
}

export function compareChains(a: { endpointId: string; fifoKey: string }, b: { endpointId: string; fifoKey: string }): number {
  if (a.endpointId !== b.endpointId) return a.endpointId < b.endpointId ? -1 : 1;
  return a.fifoKey < b.fifoKey ? -1 : a.fifoKey > b.fifoKey ? 1 : 0;
}

/**
 * Links a chain's new members, given the tail they follow (null: the chain had nothing unfinished):
 * each waits for the one before it, and only a first member without a tail before it is due. Adds
 * each waiting member's id → what it waits for to `waits`.
 */
export function linkChain(chain: NewChain, previousTail: string | null, waits: Map<string, string>): void {
  let before = previousTail;
  for (const delivery of chain.members) {
    if (before !== null) waits.set(delivery.id, before);
    before = delivery.id;
  }
}

/**
 * The deliveries as they are stored once linked: a copy of each waiting one, with what it waits for
 * and no due time. Copies, because a caller may store the same deliveries again after a rolled-back
 * attempt (group commit), and must find them as planned, not as linked then.
 */
export function asLinked(deliveries: Delivery[], waits: ReadonlyMap<string, string>): Delivery[] {
  return deliveries.map((delivery) => {
    const blockedBy = waits.get(delivery.id);
    return blockedBy === undefined ? delivery : { ...delivery, blockedBy, nextAttemptAt: null };
  });
}

/** The tail of a chain becomes its new last member; returns the tail it replaced (null: none, a new row). */
export const UPSERT_TAIL = `INSERT INTO fifo_tails (endpoint_id, fifo_key, delivery_id) VALUES (?, ?, ?)
  ON CONFLICT (endpoint_id, fifo_key) DO UPDATE SET previous_id = fifo_tails.delivery_id, delivery_id = excluded.delivery_id
  RETURNING previous_id`;

/** An ended tail gives its place back to what it waited for (an unfinished delivery). */
export const MOVE_TAIL_BACK = 'UPDATE fifo_tails SET delivery_id = ? WHERE endpoint_id = ? AND fifo_key = ? AND delivery_id = ?';

/** An ended tail that waited for nothing: the chain has nothing unfinished left. */
export const REMOVE_TAIL = 'DELETE FROM fifo_tails WHERE endpoint_id = ? AND fifo_key = ? AND delivery_id = ?';

/**
 * The successor of an ended delivery takes its place: it waits for what the ended one waited for,
 * or, when that was nothing, it is due now. Parameters: the ended one's blocked_by (twice), now, its id.
 */
export const TAKE_OVER = `UPDATE deliveries SET blocked_by = CAST(? AS TEXT),
    next_attempt_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN CAST(? AS BIGINT) ELSE NULL END
  WHERE blocked_by = ? AND status = 'pending'`;

/** The statements that unlink one ended delivery, with their parameters, in order. */
export function unlinkSteps(link: EndedLink, now: number): Array<[string, unknown[]]> {
  const tail: [string, unknown[]] =
    link.blockedBy === null
      ? [REMOVE_TAIL, [link.endpointId, link.fifoKey, link.id]]
      : [MOVE_TAIL_BACK, [link.blockedBy, link.endpointId, link.fifoKey, link.id]];
  return [tail, [TAKE_OVER, [link.blockedBy, link.blockedBy, now, link.id]]];
}

/**
 * An endpoint switched from `fifo` to `none`: its waiting deliveries are due now, and its chains
 * forgotten (a delivery still in flight then releases no one: nothing waits for it any more).
 */
export const RELEASE_WAITING_OF_ENDPOINT = `UPDATE deliveries SET blocked_by = NULL, next_attempt_at = ?
  WHERE blocked_by IS NOT NULL AND endpoint_id = ? AND status = 'pending'`;
export const FORGET_TAILS_OF_ENDPOINT = 'DELETE FROM fifo_tails WHERE endpoint_id = ?';
