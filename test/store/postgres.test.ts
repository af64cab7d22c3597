import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
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

describe('postgres schema: the deliveries table', () => {
  it('keeps room on its pages for updated rows and is vacuumed early (migration 0012)', async () => {
    const { url, drop } = await createTestSchema();
    const store = new PostgresStore(url, { maxConnections: 1 });
    const client = new pg.Client({ connectionString: url });
    try {
      await store.migrate();
      await client.connect();
      const { rows } = await client.query<{ options: string[] }>(
        "SELECT reloptions AS options FROM pg_class WHERE oid = 'deliveries'::regclass",
      );
      expect(rows[0]!.options).toEqual(expect.arrayContaining(['fillfactor=70', 'autovacuum_vacuum_scale_factor=0.02']));
    } finally {
      await client.end().catch(() => undefined);
      await store.close();
      await drop();
    }
  });
});
