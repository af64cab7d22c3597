import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The adapter for a HOOKD_DATABASE_URL. */
export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return SqliteStore.fromUrl(databaseUrl);
  throw new Error(`hookd: database ${databaseUrl.split(':')[0]} is not supported yet; use sqlite:<path>`);
}
