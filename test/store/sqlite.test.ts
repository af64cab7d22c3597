import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { storeConformance } from './conformance.js';

const dirs = new Map<Store, string>();

storeConformance('sqlite', {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    const store = new SqliteStore(join(dir, 'store.db'));
    await store.migrate();
    dirs.set(store, dir);
    return store;
  },
  async destroy(store) {
    await store.close();
    rmSync(dirs.get(store)!, { recursive: true, force: true });
  },
});
