import type { SecretBox } from '../domain/secret-box.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The adapter for a HOOKD_DATABASE_URL: `sqlite:<path>` or `postgres://…`, sealing secrets with `secrets`. */
export function openStore(databaseUrl: string, secrets: SecretBox): Store {
  if (databaseUrl.startsWith('sqlite:')) return SqliteStore.fromUrl(databaseUrl, { secrets });
  return new PostgresStore(databaseUrl, { secrets });
}
