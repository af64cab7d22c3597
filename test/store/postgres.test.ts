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
