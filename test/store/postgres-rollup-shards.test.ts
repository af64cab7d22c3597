import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_COLUMNS } from '../../src/store/attempt-rollups.js';
import { lockForTransaction, PostgresDb, ROLLUP_MERGE_LOCK } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { EndpointStatsQuery } from '../../src/store/store.js';
import { createTestSchema } from '../support/postgres.js';

// Stats rollups on PostgreSQL are written in up to 8 shards a minute; merging a past minute's
// shards into one row must leave every stats read as it was, and keep summing a shard written
// after the merge (a late batch).

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);
const HOUR = 60 * MINUTE;

describe('postgres stats rollup shards', () => {
  let store: PostgresStore;
  /** The test's own connections to the schema, as another node's. */
  let db: PostgresDb;
  let drop: () => Promise<void>;
  const sql = async <T>(text: string, params: unknown[] = []) => db.all<T>(text, params);

  /** Shard `shard` of `endpoint`'s minute `minute` (minutes after T0): `total` attempts, `succeeded` of them 2xx, all in one latency bucket. */
  const writeShard = (endpoint: string, minute: number, shard: number, total: number, succeeded: number, ms: number, bucket: number) =>
    sql(
      `INSERT INTO endpoint_attempt_rollups (endpoint_id, minute_start, shard, total, succeeded, min_ms, max_ms, ${LATENCY_COLUMNS[bucket]!})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute_start, shard) DO UPDATE SET total = endpoint_attempt_rollups.total + excluded.total,
         succeeded = endpoint_attempt_rollups.succeeded + excluded.succeeded, ${LATENCY_COLUMNS[bucket]!} = endpoint_attempt_rollups.${LATENCY_COLUMNS[bucket]!} + excluded.${LATENCY_COLUMNS[bucket]!},
         min_ms = least(endpoint_attempt_rollups.min_ms, excluded.min_ms), max_ms = greatest(endpoint_attempt_rollups.max_ms, excluded.max_ms)`,
      [endpoint, T0 + minute * MINUTE, shard, total, succeeded, ms, ms, total],
    );
  const rowsOf = async (endpoint: string) =>
    (await sql<{ minute_start: number; n: number }>(
      'SELECT minute_start, count(*) AS n FROM endpoint_attempt_rollups WHERE endpoint_id = ? GROUP BY minute_start ORDER BY minute_start',
      [endpoint],
    )).map((row) => [(row.minute_start - T0) / MINUTE, row.n]);
  const now = T0 + 3 * MINUTE;
  const query: EndpointStatsQuery = { windows: [now - HOUR, now - 24 * HOUR, T0 + MINUTE], series: { since: T0 - 2 * MINUTE, until: now + 1, bucketMs: MINUTE } };

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    store = new PostgresStore(schema.url, { maxConnections: 4 });
    await store.migrate();
    db = new PostgresDb(schema.url, { maxConnections: 2 });
    // Three minutes of ep_a in all 8 shards (latencies 1 to 8 ms, 3 fails in every shard), one of
    // ep_b in two, and one shard of ep_a a minute before.
    for (let minute = 0; minute < 3; minute++) {
      for (let shard = 0; shard < 8; shard++) await writeShard('ep_a', minute, shard, 10 + shard, 7 + shard, shard + 1, shard + 1);
    }
    await writeShard('ep_b', 1, 2, 5, 5, 300, 20);
    await writeShard('ep_b', 1, 6, 1, 0, 20_000, 40);
    await writeShard('ep_a', -1, 5, 4, 4, 12, 11);
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
    await drop?.();
  });

  it('merges the shards of the minutes asked for into one row each, and every stats read stays the same', async () => {
    const before = { a: await store.endpointStats('ep_a', query), b: await store.endpointStats('ep_b', query) };
    expect(before.a.windows[0]!.attempts).toEqual({ total: 3 * 108 + 4, succeeded: 3 * 84 + 4, failed: 72 });

    // The minutes before the third: shards 1–7 of ep_a's two minutes, ep_b's two shards and the lone one folded into shard 0.
    expect(await store.mergeRollupShards(T0 - MINUTE, T0 + 2 * MINUTE)).toBe(7 + 7 + 2 + 1);
    expect(await rowsOf('ep_a')).toEqual([[-1, 1], [0, 1], [1, 1], [2, 8]]);
    expect(await rowsOf('ep_b')).toEqual([[1, 1]]);
    expect(await store.endpointStats('ep_a', query)).toEqual(before.a);
    expect(await store.endpointStats('ep_b', query)).toEqual(before.b);
    // Merged already: nothing more to do.
    expect(await store.mergeRollupShards(T0 - MINUTE, T0 + 2 * MINUTE)).toBe(0);
  });

  it('still sums a shard a late batch writes into a merged minute', async () => {
    const before = await store.endpointStats('ep_a', query);
    await writeShard('ep_a', 1, 3, 2, 0, 70_000, LATENCY_COLUMNS.length - 1);
    const after = await store.endpointStats('ep_a', query);
    expect(after.windows[0]!.attempts).toEqual({ ...before.windows[0]!.attempts, total: before.windows[0]!.attempts.total + 2, failed: before.windows[0]!.attempts.failed + 2 });
    expect(after.series.find((bucket) => bucket.start === T0 + MINUTE)?.total).toBe(before.series.find((bucket) => bucket.start === T0 + MINUTE)!.total + 2);
    expect(await store.mergeRollupShards(T0 + MINUTE, T0 + 2 * MINUTE)).toBe(1);
    expect(await store.endpointStats('ep_a', query)).toEqual(after);
  });

  it('lets one node merge at a time', async () => {
    const merged = await db.transaction(async (tx) => {
      // Another node holding the merge lock: this one steps aside at once.
      await lockForTransaction(tx, ROLLUP_MERGE_LOCK);
      return store.mergeRollupShards(T0, T0 + 3 * MINUTE);
    });
    expect(merged).toBeNull();
  });

  it('is not held back by an install in another schema of the same database (advisory locks are per database)', async () => {
    const other = await createTestSchema();
    const otherDb = new PostgresDb(other.url, { maxConnections: 1 });
    try {
      const merged = await otherDb.transaction(async (tx) => {
        await lockForTransaction(tx, ROLLUP_MERGE_LOCK);
        return store.mergeRollupShards(T0, T0 + 3 * MINUTE);
      });
      expect(merged).not.toBeNull();
    } finally {
      await otherDb.close();
      await other.drop();
    }
  });
});
