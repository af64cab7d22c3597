import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { Delivery } from '../../src/domain/types.js';
import { DatabaseQueue } from '../../src/queue/delivery-queue.js';
import { CLAIM_PER_ACCOUNT } from '../../src/store/postgres/queue-statements.js';
import type { AttemptRecord, Store } from '../../src/store/store.js';
import { endpoint } from '../store/conformance.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { TEST_BACKEND } from '../support/server.js';

// Parking (issue 19), on the backend under test: the backlog of a paused endpoint leaves the due
// indexes, so a claim for a healthy endpoint does not step over it, and it comes back oldest first,
// a trickle at a time, when the pause ends or is resumed. Nothing is lost or claimed twice.

const T0 = 1_800_000_000_000;
const BACKLOG = 20_000;
const PAUSED_UNTIL = T0 + 60_000;

describe(`parked deliveries of paused endpoints (${TEST_BACKEND})`, () => {
  let store: Store;
  let queue: DatabaseQueue;
  let opened: TestStore;
  /** PostgreSQL: a connection of its own, for EXPLAIN ANALYZE and counts. */
  let client: pg.Client | null = null;
  /** SQLite: a reader of the store's file, for counts. */
  let reader: Database.Database | null = null;

  beforeEach(async () => {
    opened = await openTestStore('parking');
    store = opened.store;
    if (TEST_BACKEND === 'postgres') {
      client = new pg.Client({ connectionString: opened.location });
      await client.connect();
    } else {
      reader = new Database(opened.location, { readonly: true });
    }
    queue = new DatabaseQueue(store);
  });
  afterEach(async () => {
    await client?.end();
    client = null;
    reader?.close();
    reader = null;
    await opened.close();
  });

  async function createEndpoint(): Promise<string> {
    const { id } = await store.createEndpoint(endpoint());
    return id;
  }

  /** `count` deliveries to `endpointId`, due one ms apart from `dueFrom`, in events of 1,000. Returns their ids in due order. */
  async function enqueue(endpointId: string, count: number, dueFrom: number): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 1000) {
      const eventId = newId('evt', T0);
      const deliveries: Delivery[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const id = newId('dlv', T0);
        ids.push(id);
        dueAt.set(id, dueFrom + i);
        deliveries.push({
          id, eventId, endpointId, accountId: null, eventType: 't', url: 'https://example.com/hook', status: 'pending', attempts: 0,
          nextAttemptAt: dueFrom + i, lastStatusCode: null, lastError: null, correlationId: null, createdAt: T0, completedAt: null,
        });
      }
      const event = { id: eventId, type: 't', accountId: null, payload: '{}', correlationId: null, callbackUrl: null, occurredAt: T0, createdAt: T0 };
      await store.ingestEvents([{ event, deliveries, clientId: false }], 0, T0);
    }
    return ids;
  }

  /** When each delivery enqueued here is due, to put a claimed batch in due order. */
  const dueAt = new Map<string, number>();
  const dueOrder = (a: string, b: string): number => dueAt.get(a)! - dueAt.get(b)!;

  /**
   * The worker's claim (one account: every delivery here is provider-level), `limit` at most; the
   * ids in due order (PostgreSQL returns a claimed batch in no particular order).
   */
  async function claim(now: number, limit: number): Promise<string[]> {
    const { deliveries } = await queue.claim('w1', now, now + 60_000, (due) => due.map((account) => ({ account, limit })));
    return deliveries.map((d) => d.id).sort(dueOrder);
  }

  async function succeed(ids: string[], now: number): Promise<void> {
    const records: AttemptRecord[] = ids.map((deliveryId) => ({
      deliveryId, endpointId: null, leaseOwner: 'w1', attempt: null, status: 'succeeded', nextAttemptAt: null, completedAt: now,
      lastStatusCode: 200, lastError: null, disableEndpoint: null,
    }));
    await queue.finish(records);
  }

  /** Deliveries of `endpointId` in the due indexes (pending, not parked): the rows a claim could step over. */
  async function inDueIndexes(endpointId: string): Promise<number> {
    const sql = "SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND parked = 0 AND endpoint_id = ?";
    if (client !== null) return Number((await client.query<{ n: string }>(sql.replace('?', '$1'), [endpointId])).rows[0]!.n);
    return (reader!.prepare(sql).get(endpointId) as { n: number }).n;
  }

  /**
   * PostgreSQL: the rows of deliveries (its partitions, 0022) the per-account claim reads (returned by its scans or
   * removed by their filters), from EXPLAIN ANALYZE in a transaction rolled back.
   */
  async function rowsReadByClaim(now: number, limit: number): Promise<number> {
    await client!.query('BEGIN');
    try {
      const { rows } = await client!.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM_PER_ACCOUNT.text}`, [
        'w9', now + 60_000, now, [''], [limit],
      ]);
      return rowsOfDeliveries(rows[0]!['QUERY PLAN'][0]!.Plan);
    } finally {
      await client!.query('ROLLBACK');
    }
  }

  it('a claim for a healthy endpoint does no work for a paused endpoint\'s backlog, which comes back in order after the pause', async () => {
    const slow = await createEndpoint();
    const healthy = await createEndpoint();
    const backlog = await enqueue(slow, BACKLOG, T0 - BACKLOG - 1000);
    expect(await store.pauseEndpoint(slow, PAUSED_UNTIL, '429 Retry-After 60 s', T0)).toBe(true);
    const fresh = await enqueue(healthy, 10, T0 - 100);
    // Before parking, the claim walks the whole backlog to find the healthy endpoint's rows.
    if (client !== null) expect(await rowsReadByClaim(T0, 5)).toBeGreaterThanOrEqual(BACKLOG);

    // The first claim parks the backlog (each row once) and takes the healthy endpoint's work.
    const first = await claim(T0, 5);
    expect(first).toEqual(fresh.slice(0, 5));
    expect(await inDueIndexes(slow)).toBe(0);
    if (client !== null) expect(await rowsReadByClaim(T0, 5)).toBeLessThan(50);
    // The claims after it have nothing left to park: their work is the healthy endpoint's only.
    expect(await store.parkPausedDue(T0, [{ account: '', limit: 5 }])).toBe(0);
    expect(await claim(T0 + 1, 5)).toEqual(fresh.slice(5));
    await succeed(fresh, T0 + 2);

    // Deliveries queued during the pause are parked by the next claim, a window's worth at a time.
    const during = await enqueue(slow, 100, T0 + 10);
    expect(await claim(T0 + 200, 5)).toEqual([]);
    expect(await inDueIndexes(slow)).toBe(0);
    const stats = await queue.stats(T0 + 200);
    expect(stats.due).toBe(BACKLOG + 100);
    expect(stats.oldestDueAt).toBe(T0 - BACKLOG - 1000);
    // An idle worker wakes when the pause ends.
    expect(await queue.nextDueAt()).toBe(PAUSED_UNTIL);

    // The pause ends: a trickle per claim, oldest first.
    const all = [...backlog, ...during];
    const delivered: string[] = [];
    const afterPause = await claim(PAUSED_UNTIL, 1000);
    expect(afterPause).toEqual(all.slice(0, 64));
    delivered.push(...afterPause);
    await succeed(delivered, PAUSED_UNTIL);

    // Paused again (429 again): the next claim takes nothing of it; an explicit resume brings it back at once.
    expect(await store.pauseEndpoint(slow, PAUSED_UNTIL + 600_000, '429 Retry-After 600 s', PAUSED_UNTIL + 1)).toBe(true);
    expect(await claim(PAUSED_UNTIL + 2, 1000)).toEqual([]);
    expect(await store.resumeEndpoint(slow, PAUSED_UNTIL + 3)).toBe(true);
    expect(await queue.nextDueAt()).toBeLessThanOrEqual(PAUSED_UNTIL + 3);
    for (let now = PAUSED_UNTIL + 4; delivered.length < all.length; now++) {
      const claimed = await claim(now, 1000);
      expect(claimed.length).toBeGreaterThan(0);
      expect(claimed.length).toBeLessThanOrEqual(64);
      delivered.push(...claimed);
      await succeed(claimed, now);
    }
    // Every one, once, in due order.
    expect(delivered).toEqual(all);
    expect(await claim(PAUSED_UNTIL + 100_000, 1000)).toEqual([]);
    expect(await queue.nextDueAt()).toBeNull();
  }, 120_000);
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function rowsOfDeliveries(node: PlanNode): number {
  const own = node['Relation Name']?.startsWith('deliveries') ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsOfDeliveries(child), 0);
}
