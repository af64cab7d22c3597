import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, createTestSchema } from './postgres.js';
import { TEST_BACKEND, tempDir } from './server.js';

// A store of the backend under test for the tests that drive the store and queue directly (no
// server): a fresh PostgreSQL schema or SQLite file, migrated.

export interface TestStore {
  store: Store;
  /** Where it lives, for a test's own connection: the schema's URL, or the SQLite file's path. */
  location: string;
  /** Closes the store, then drops the schema or removes the file. */
  close(): Promise<void>;
}

/**
 * `ownDatabase`: on PostgreSQL, a database of its own rather than a schema, for a test that counts
 * the queue's wake-ups: NOTIFY channels are per database, so a schema's listener also hears the
 * notifications of the tests running beside it.
 */
export async function openTestStore(name: string, { ownDatabase = false } = {}): Promise<TestStore> {
  if (TEST_BACKEND === 'postgres') {
    const { url, drop } = ownDatabase ? await createTestDatabase() : await createTestSchema();
    const store = new PostgresStore(url, { maxConnections: 2 });
    await store.migrate();
    const close = async () => {
      await store.close();
      await drop();
    };
    return { store, location: url, close };
  }
  const dir = tempDir();
  const path = join(dir, `${name}.db`);
  const store = new SqliteStore(path);
  await store.migrate();
  const close = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, location: path, close };
}
