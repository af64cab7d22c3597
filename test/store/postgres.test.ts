import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { CLAIM } from '../../src/store/postgres/queue-statements.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema } from '../support/postgres.js';
import { storeConformance } from './conformance.js';

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

/** A migrated store on a fresh schema and a client of the test's own on it, both closed and the schema dropped afterwards. */
async function withMigratedSchema(maxConnections: number, test: (store: PostgresStore, client: pg.Client) => Promise<void>): Promise<void> {
  const { url, drop } = await createTestSchema();
  const store = new PostgresStore(url, { maxConnections });
  const client = new pg.Client({ connectionString: url });
  try {
    await store.migrate();
    await client.connect();
    await test(store, client);
  } finally {
    await client.end().catch(() => undefined);
    await store.close();
    await drop();
  }
}

describe('postgres schema: the deliveries table', () => {
  it('keeps room on its pages for updated rows and is vacuumed early (migrations 0012, 0018)', () =>
    withMigratedSchema(1, async (store, client) => {
      const { rows } = await client.query<{ options: string[] }>(
        "SELECT reloptions AS options FROM pg_class WHERE oid = 'deliveries'::regclass",
      );
      expect(rows[0]!.options).toEqual(expect.arrayContaining(['fillfactor=50', 'autovacuum_vacuum_scale_factor=0.02']));
    }));
});

describe('postgres queue: a claim writes the lease only', () => {
  const T0 = 1_800_000_000_000;

  it('is a HOT update (no index entry), and the claimed delivery reads as sending', () =>
    withMigratedSchema(2, async (store, client) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const eventId = newId('evt', T0);
        const id = newId('dlv', T0);
        ids.push(id);
        await store.ingestEvents(
          [
            {
              event: { id: eventId, type: 'call.started', accountId: null, payload: '{}', correlationId: null, callbackUrl: null, occurredAt: T0, createdAt: T0 },
              deliveries: [
                { id, eventId, endpointId: null, accountId: null, eventType: 'call.started', url: 'https://example.com/hook', status: 'pending', attempts: 0, nextAttemptAt: T0, lastStatusCode: null, lastError: null, correlationId: null, createdAt: T0, completedAt: null },
              ],
              clientId: false,
            },
          ],
          0,
          T0,
        );
      }
      // The statement the store runs, in a transaction of this test's own, whose counters
      // (pg_stat_get_xact_*) are exact: the shared statistics are published late and in bulk.
      await client.query('BEGIN');
      const claimed = await client.query(CLAIM.text, ['w1', T0 + 1000, T0, 3]);
      const { rows } = await client.query<{ updated: number; hot: number }>(
        "SELECT pg_stat_get_xact_tuples_updated('deliveries'::regclass) AS updated, pg_stat_get_xact_tuples_hot_updated('deliveries'::regclass) AS hot",
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
      await client.query('DELETE FROM schema_migrations WHERE version = 18');
      await client.query("CREATE INDEX deliveries_leased ON deliveries (lease_expires_at) WHERE status = 'sending'");
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
    }));
});
