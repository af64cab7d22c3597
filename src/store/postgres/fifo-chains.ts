import type { Delivery } from '../../domain/types.js';
import * as rows from '../rows.js';
import {
  asLinked,
  compareChains,
  FORGET_TAILS_OF_ENDPOINT,
  linkChain,
  newChains,
  RELEASE_WAITING_OF_ENDPOINT,
  unlinkSteps,
  type EndedLink,
} from '../shared/fifo-chains.js';
import type { PgQueries, PostgresDb } from './connection.js';
import { WORK_CHANNEL } from './work-channel.js';

// FIFO chains on PostgreSQL (see ../shared/fifo-chains.ts), batched with unnest. Each function runs
// inside the caller's transaction, and holds the chains' tail rows before it reads any link: READ
// COMMITTED gives each later statement a snapshot that includes what the holder before committed.

/** The tails of the batch's chains set to their new last members (in chain order: the lock order); returns the tails replaced. */
const UPSERT_TAILS = `INSERT INTO fifo_tails (endpoint_id, fifo_key, delivery_id)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ORDER BY 1, 2
  ON CONFLICT (endpoint_id, fifo_key) DO UPDATE SET previous_id = fifo_tails.delivery_id, delivery_id = excluded.delivery_id
  RETURNING endpoint_id, fifo_key, previous_id`;

/** The tail rows of these chains, held until the transaction ends (in chain order, as every writer takes them). */
const HOLD_TAILS = `SELECT 1 FROM fifo_tails WHERE (endpoint_id, fifo_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY endpoint_id, fifo_key FOR UPDATE`;

/** Deliveries that ended without waiting (a worker's results): tails that were theirs are removed. */
const REMOVE_TAILS = `DELETE FROM fifo_tails t USING unnest($1::text[], $2::text[], $3::text[]) AS e(endpoint_id, fifo_key, id)
  WHERE t.endpoint_id = e.endpoint_id AND t.fifo_key = e.fifo_key AND t.delivery_id = e.id`;

/** …and the deliveries that waited for them are due now. */
const RELEASE_SUCCESSORS = `UPDATE deliveries SET blocked_by = NULL, next_attempt_at = $2
  WHERE blocked_by = ANY($1::text[]) AND status = 'pending'`;

const NOTIFY = `NOTIFY ${WORK_CHANNEL}`;

/** Links the new deliveries of `fifo` endpoints to their chains (see linkChain); returns them as they are to be inserted. */
export async function linkNewDeliveries(tx: PgQueries, deliveries: Delivery[]): Promise<Delivery[]> {
  const chains = newChains(deliveries);
  if (chains.length === 0) return deliveries;
  const replaced = await tx.all<{ endpoint_id: string; fifo_key: string; previous_id: string | null }>(UPSERT_TAILS, [
    chains.map((chain) => chain.endpointId),
    chains.map((chain) => chain.fifoKey),
    chains.map((chain) => chain.members[chain.members.length - 1]!.id),
  ]);
  const previous = new Map(replaced.map((row) => [JSON.stringify([row.endpoint_id, row.fifo_key]), row.previous_id]));
  const waits = new Map<string, string>();
  for (const chain of chains) linkChain(chain, previous.get(JSON.stringify([chain.endpointId, chain.fifoKey])) ?? null, waits);
  return asLinked(deliveries, waits);
}

async function holdTails(tx: PgQueries, links: readonly { endpointId: string; fifoKey: string }[]): Promise<void> {
  const sorted = [...links].sort(compareChains);
  await tx.run(HOLD_TAILS, [sorted.map((link) => link.endpointId), sorted.map((link) => link.fifoKey)]);
}

/** Deliveries a worker finished (none was waiting: it was claimed): their successors are due at `now`, and workers are told. */
export async function unlinkFinished(tx: PgQueries, ended: EndedLink[], now: number): Promise<void> {
  if (ended.length === 0) return;
  await holdTails(tx, ended);
  await tx.run(REMOVE_TAILS, [ended.map((link) => link.endpointId), ended.map((link) => link.fifoKey), ended.map((link) => link.id)]);
  const released = await tx.run(RELEASE_SUCCESSORS, [ended.map((link) => link.id), now]);
  if (released > 0) await tx.run(NOTIFY);
}

/**
 * Cancels a pending delivery; one of a chain gives its place to its successor in the same
 * transaction. What it waited for is read once its chain's tail row is held: only holders of that
 * row change the links of the chain.
 */
export function cancelDelivery(db: PostgresDb, id: string, now: number): Promise<Delivery | null> {
  return db.transaction(async (tx) => {
    const found = await tx.one<{ endpoint_id: string | null; fifo_key: string | null }>('SELECT endpoint_id, fifo_key FROM deliveries WHERE id = $1', [
      id,
    ]);
    const link = found?.endpoint_id != null && found.fifo_key !== null ? { id, endpointId: found.endpoint_id, fifoKey: found.fifo_key } : null;
    if (link !== null) await holdTails(tx, [link]);
    const waitedFor = link === null ? null : ((await tx.one<{ blocked_by: string | null }>(WAITED_FOR, [id]))?.blocked_by ?? null);
    const row = await tx.one<rows.DeliveryRow>(CANCEL, [now, id]);
    if (row === undefined) return null;
    if (link !== null) {
      for (const [sql, params] of unlinkSteps({ ...link, blockedBy: waitedFor }, now)) await tx.run(sql, params);
      if (waitedFor === null) await tx.run(NOTIFY);
    }
    return rows.toDelivery(row);
  });
}

const WAITED_FOR = 'SELECT blocked_by FROM deliveries WHERE id = $1';
const CANCEL = `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, blocked_by = NULL, completed_at = $1
  WHERE id = $2 AND status = 'pending' AND lease_owner IS NULL RETURNING *`;

/** The endpoint no longer orders its deliveries: its chains are forgotten and what waited is due now. Returns how many. */
export async function releaseChainsOf(tx: PgQueries, endpointId: string, now: number): Promise<number> {
  if ((await tx.run(FORGET_TAILS_OF_ENDPOINT, [endpointId])) === 0) return 0;
  const released = await tx.run(RELEASE_WAITING_OF_ENDPOINT, [now, endpointId]);
  if (released > 0) await tx.run(NOTIFY);
  return released;
}
