import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The adapter for a HOOKD_DATABASE_URL: `sqlite:<path>` or `postgres://…`. */
export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return SqliteStore.fromUrl(databaseUrl);
  return new PostgresStore(databaseUrl);
}
