import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { CLAIM } from '../../src/store/postgres/queue-statements.js';
import type { AttemptRecord, Store } from '../../src/store/store.js';
import { createTestSchema, migrateThrough } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';
import { POSTGRES_PARKING } from '../../src/store/postgres/parking.js';
import { endpoint, storeConformance } from './conformance.js';

const drops = new Map<Store, () => Promise<void>>();

storeConformance('postgres', {
  async create() {
    const { url, drop } = await createTestSchema();
    const store = new PostgresStore(url, { maxConnections: 4 });
    await store.migrate();
    drops.set(store, drop);
    return store;
  },
  async destroy(store) {
    await store.close();
    await drops.get(store)!();
  },
});

/**
 * A migrated store on a fresh schema and a client of the test's own on it, both closed and the
 * schema dropped afterwards. With `through`, the schema is left as migrations 1 to `through` made
 * it (an older hookd's), for the test to write its rows and then migrate the rest.
 */
async function withMigratedSchema(
  maxConnections: number,
  test: (store: PostgresStore, client: pg.Client) => Promise<void>,
  through?: number,
): Promise<void> {
  const { url, drop } = await createTestSchema();
  const store = new PostgresStore(url, { maxConnections });
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    if (through === undefined) await store.migrate();
    else await migrateThrough(client, through);
    await test(store, client);
  } finally {
    await client.end().catch(() => undefined);
    await store.close();
    await drop();
  }
}

const T0 = 1_800_000_000_000;

/** One event with one delivery (by default to no endpoint: a callback URL), due at T0; returns the delivery's id. */
async function queueOne(store: PostgresStore, endpointId: string | null = null): Promise<string> {
  const eventId = newId('evt', T0);
  const id = newId('dlv', T0);
  await store.ingestEvents(
    [
      {
        event: { id: eventId, type: 'call.started', accountId: null, payload: '{}', correlationId: null, callbackUrl: null, occurredAt: T0, createdAt: T0 },
        deliveries: [
          { id, eventId, endpointId, accountId: null, eventType: 'call.started', url: 'https://example.com/hook', status: 'pending', attempts: 0, nextAttemptAt: T0, lastStatusCode: null, lastError: null, correlationId: null, createdAt: T0, completedAt: null },
        ],
        clientId: false,
      },
    ],
    0,
    T0,
  );
  return id;
}

/** The result a worker holding `id` under `owner` records for a 200 at T0 + 10. */
function succeeded(id: string, owner: string): AttemptRecord {
  return {
    deliveryId: id,
    endpointId: null,
    leaseOwner: owner,
    attempt: null,
    status: 'succeeded',
    nextAttemptAt: null,
    completedAt: T0 + 10,
    lastStatusCode: 200,
    lastError: null,
    disableEndpoint: null,
  };
}

describe('postgres schema: the deliveries table', () => {
  it('keeps room on the queue pages for updated rows and vacuums it after a count of dead rows, unthrottled; the history is full pages (migrations 0012, 0018, 0022, 0024)', () =>
    withMigratedSchema(1, async (store, client) => {
      const options = async (table: string) =>
        (await client.query<{ options: string[] | null }>('SELECT reloptions AS options FROM pg_class WHERE oid = $1::regclass', [table])).rows[0]!.options;
      expect(await options('deliveries_queue')).toEqual(expect.arrayContaining(['fillfactor=50', 'autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=5000', 'autovacuum_vacuum_cost_delay=0']));
      expect(await options('deliveries_history')).toBeNull();
    }));

  it('keeps pending deliveries in the queue and moves a finished one to the history (migration 0022)', () =>
    withMigratedSchema(2, async (store, client) => {
      const id = await queueOne(store);
      const home = async () => (await client.query<{ home: string }>('SELECT tableoid::regclass::text AS home FROM deliveries WHERE id = $1', [id])).rows[0]?.home;
      expect(await home()).toBe('deliveries_queue');
      const [claimed] = await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
      expect(claimed?.id).toBe(id);
      await store.recordAttempts([succeeded(id, 'w1')]);
      expect(await home()).toBe('deliveries_history');
      expect((await store.getDelivery(id))?.status).toBe('succeeded');
      expect((await client.query('SELECT 1 FROM deliveries_queue')).rowCount).toBe(0);
    }));

  it('keeps parked deliveries in a partition of their own; parking and un-parking move them (migration 0025)', () =>
    withMigratedSchema(2, async (store, client) => {
      const home = async (id: string) => (await client.query<{ home: string }>('SELECT tableoid::regclass::text AS home FROM deliveries WHERE id = $1', [id])).rows[0]?.home;
      const ep = endpoint();
      await store.createEndpoint(ep);
      expect(await store.pauseEndpoint(ep.id, T0 + 2000, '429 Retry-After 2 s', T0)).toBe(true);
      // Parked at ingest: its endpoint is paused.
      const parkedAtIngest = await queueOne(store, ep.id);
      expect(await home(parkedAtIngest)).toBe('deliveries_parked');
      // The pause over, a claim's un-parking moves it back to the queue.
      expect(await store.unparkResumed(T0 + 2000, 64)).toBe(1);
      expect(await home(parkedAtIngest)).toBe('deliveries_queue');
      // Paused again with the delivery due: the claim's parking moves it out of the queue.
      expect(await store.pauseEndpoint(ep.id, T0 + 60_000, '429 Retry-After 55 s', T0 + 5000)).toBe(true);
      expect(await store.parkPausedDue(T0 + 5000, [{ account: '', limit: 10 }])).toBe(1);
      expect(await home(parkedAtIngest)).toBe('deliveries_parked');
      expect(await store.queueStats(T0 + 5000)).toMatchObject({ due: 1, scheduled: 0 });
      expect((await client.query('SELECT 1 FROM deliveries_queue')).rowCount).toBe(0);
    }));

  it('moves the parked deliveries of an older schema to their partition (migration 0025)', () =>
    withMigratedSchema(2, async (store, client) => {
      await client.query("INSERT INTO events (id, type, payload, occurred_at, created_at) VALUES ('evt_old', 'call.started', '{}', $1, $1)", [T0]);
      for (const [id, parked] of [['dlv_due', 0], ['dlv_parked', 1]] as const) {
        await client.query(
          `INSERT INTO deliveries (id, event_id, event_type, url, status, attempts, next_attempt_at, created_at, parked)
           VALUES ($1, 'evt_old', 'call.started', 'https://example.com/hook', 'pending', 0, $2, $2, $3)`,
          [id, T0, parked],
        );
      }
      await store.migrate();
      const { rows } = await client.query<{ id: string; home: string }>('SELECT id, tableoid::regclass::text AS home FROM deliveries ORDER BY id');
      expect(rows).toEqual([
        { id: 'dlv_due', home: 'deliveries_queue' },
        { id: 'dlv_parked', home: 'deliveries_parked' },
      ]);
      expect(await store.queueStats(T0)).toMatchObject({ due: 2, oldestDueAt: T0 });
      expect((await store.claimDueDeliveries('w1', T0, 10, T0 + 1000)).map((d) => d.id)).toEqual(['dlv_due']);
    }, 24));

  it('parks and un-parks by ctid in one partition only: the same places in the others are never written', () =>
    withMigratedSchema(2, async (_store, client) => {
      // A ctid is a place in one partition's heap; an UPDATE of deliveries by ctid alone would also
      // change the rows at those places in the history and the other pending partition.
      for (const [statement, params, partition] of [
        [POSTGRES_PARKING.parkDueOfAccount, ['', T0, 10, T0], 'deliveries_queue'],
        [POSTGRES_PARKING.unparkOldest, ['ep_1', 10], 'deliveries_parked'],
      ] as const) {
        const { text } = statement as { text: string };
        const plan = (await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${text}`, values: [...params] })).rows.map((row) => row['QUERY PLAN']).join('\n');
        const written = [...plan.matchAll(/Update on (deliveries_\w+)/g)].map((match) => match[1]);
        expect(written).toEqual([partition]);
      }
    }));

  it('runs again a statement that met a row another transaction moved to the history meanwhile (40001)', () =>
    withMigratedSchema(2, async (store, client) => {
      const id = await queueOne(store);
      await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
      // Canceled by another transaction while the worker's result is on its way: the result's
      // statement waits for the row, which then leaves the queue under it.
      await client.query('BEGIN');
      await client.query("UPDATE deliveries SET status = 'canceled', lease_owner = NULL, lease_expires_at = NULL WHERE id = $1", [id]);
      const recording = store.recordAttempts([succeeded(id, 'w1')]);
      await waitFor(
        async () => (await client.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rowCount === 1,
        { what: "the result's statement to wait for the row" },
      );
      await client.query('COMMIT');
      // Run again, it finds the row in the history without the worker's lease, and leaves it be.
      await expect(recording).resolves.toBeUndefined();
      expect((await store.getDelivery(id))?.status).toBe('canceled');
    }));
});

describe('postgres queue: a claim writes the lease only', () => {

  it('is a HOT update (no index entry), and the claimed delivery reads as sending', () =>
    withMigratedSchema(2, async (store, client) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await queueOne(store));
      // The statement the store runs, in a transaction of this test's own, whose counters
      // (pg_stat_get_xact_*) are exact: the shared statistics are published late and in bulk.
      await client.query('BEGIN');
      const claimed = await client.query(CLAIM.text, ['w1', T0 + 1000, T0, 3]);
      const { rows } = await client.query<{ updated: number; hot: number }>(
        "SELECT pg_stat_get_xact_tuples_updated('deliveries_queue'::regclass) AS updated, pg_stat_get_xact_tuples_hot_updated('deliveries_queue'::regclass) AS hot",
      );
      await client.query('COMMIT');
      expect(claimed.rowCount).toBe(3);
      expect(rows[0]).toEqual({ updated: 3, hot: 3 });

      const held = claimed.rows.map((row: { id: string }) => row.id);
      for (const id of held) expect((await store.getDelivery(id))?.status).toBe('sending');
      const listed = async (status: 'pending' | 'sending') =>
        (await store.listDeliveries({ status }, { limit: 10, cursor: null })).items.map((d) => d.id).sort();
      expect(await listed('sending')).toEqual([...held].sort());
      expect(await listed('pending')).toEqual(ids.filter((id) => !held.includes(id)).sort());
      // Rows already leased are skipped by the next claim, which takes the two left.
      expect((await store.claimDueDeliveries('w2', T0, 10, T0 + 1000)).map((d) => d.id).sort()).toEqual(
        ids.filter((id) => !held.includes(id)).sort(),
      );
      expect(await store.queueStats(T0)).toEqual({ due: 0, scheduled: 0, sending: 5, waiting: 0, oldestDueAt: null });
    }));

  it('keeps the deliveries held at the upgrade held, in the new form (migration 0018)', () =>
    withMigratedSchema(2, async (store, client) => {
      // The schema as it was before 0018, with one delivery held under a lease as it wrote them.
      await client.query("INSERT INTO events (id, type, payload, occurred_at, created_at) VALUES ('evt_held', 'call.started', '{}', $1, $1)", [T0]);
      await client.query(
        `INSERT INTO deliveries (id, event_id, event_type, url, status, attempts, next_attempt_at, created_at, lease_owner, lease_expires_at)
         VALUES ('dlv_held', 'evt_held', 'call.started', 'https://example.com/hook', 'sending', 0, $1, $1, 'w1', $2)`,
        [T0, T0 + 1000],
      );
      await store.migrate();

      const { rows } = await client.query<{ status: string; lease_owner: string }>("SELECT status, lease_owner FROM deliveries WHERE id = 'dlv_held'");
      expect(rows).toEqual([{ status: 'pending', lease_owner: 'w1' }]);
      expect((await client.query("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'deliveries_leased'")).rowCount).toBe(0);
      expect((await store.getDelivery('dlv_held'))?.status).toBe('sending');
      // Still its holder's: another worker does not claim it, and the holder's renewal finds it.
      expect(await store.claimDueDeliveries('w2', T0, 10, T0 + 1000)).toEqual([]);
      expect(await store.renewLeases(['dlv_held'], 'w1', T0 + 2000)).toEqual(['dlv_held']);
    }, 17));

  it('keeps every delivery when it splits the table, pending ones in the queue (migration 0022)', () =>
    withMigratedSchema(2, async (store, client) => {
      await client.query("INSERT INTO events (id, type, payload, occurred_at, created_at) VALUES ('evt_old', 'call.started', '{}', $1, $1)", [T0]);
      for (const [id, status] of [['dlv_waiting', 'pending'], ['dlv_done', 'succeeded'], ['dlv_gave_up', 'failed']]) {
        await client.query(
          `INSERT INTO deliveries (id, event_id, event_type, url, status, attempts, next_attempt_at, created_at)
           VALUES ($1, 'evt_old', 'call.started', 'https://example.com/hook', $2, 1, $3, $4)`,
          [id, status, status === 'pending' ? T0 : null, T0],
        );
      }
      await store.migrate();

      const { rows } = await client.query<{ id: string; home: string }>('SELECT id, tableoid::regclass::text AS home FROM deliveries ORDER BY id');
      expect(rows).toEqual([
        { id: 'dlv_done', home: 'deliveries_history' },
        { id: 'dlv_gave_up', home: 'deliveries_history' },
        { id: 'dlv_waiting', home: 'deliveries_queue' },
      ]);
      expect((await store.claimDueDeliveries('w1', T0, 10, T0 + 1000)).map((d) => d.id)).toEqual(['dlv_waiting']);
      expect((await store.listDeliveries({ status: 'failed' }, { limit: 10, cursor: null })).items.map((d) => d.id)).toEqual(['dlv_gave_up']);
    }, 21));
});
