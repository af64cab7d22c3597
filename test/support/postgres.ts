import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadMigrations } from '../../src/store/migrations.js';

// Tests use the machine's PostgreSQL (127.0.0.1:5432, trust auth): a fresh schema or database per
// test, dropped afterwards. HOOKD_TEST_POSTGRES_URL points elsewhere when needed.

export const POSTGRES_ADMIN_URL = process.env.HOOKD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** A new empty schema; the URL selects it through search_path. */
export async function createTestSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** A new empty database, for tests that run several hookd processes on it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hookd_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** The schema as migrations 1 to `version` made it (an older hookd's): applied and recorded as PostgresDb.migrate does. */
export async function migrateThrough(client: pg.Client, version: number): Promise<void> {
  await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  for (const migration of loadMigrations('postgres').filter((m) => m.version <= version)) {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()]);
  }
}
