import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { OPERATIONAL_COLUMNS } from '../../src/store/shared/config-writes.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';
import { endpoint } from './conformance.js';

// The config cache (src/store/shared/config-cache.ts) on the machine's PostgreSQL, with two
// stores on one database standing for two hookd nodes.

const T0 = 1_800_000_000_000;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoNodes(): Promise<{ a: PostgresStore; b: PostgresStore; sql: pg.Client; database: string }> {
  const { url, drop } = await createTestDatabase();
  cleanups.push(drop);
  const a = new PostgresStore(url, { maxConnections: 2 });
  const b = new PostgresStore(url, { maxConnections: 2 });
  const sql = new pg.Client({ connectionString: url });
  cleanups.push(() => a.close(), () => b.close(), () => sql.end());
  await a.migrate();
  await sql.connect();
  // A node caches nothing until it listens for changes: wait until both do.
  await waitFor(async () => (await listeners(sql)) === 2);
  return { a, b, sql, database: new URL(url).pathname.slice(1) };
}

async function listeners(sql: pg.Client): Promise<number> {
  const found = await sql.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN hookd_work%'");
  return (found.rows[0] as { n: number }).n;
}

async function newKey(store: PostgresStore): Promise<{ id: string; hash: string }> {
  const key = { id: newId('key', T0), hash: `hash_${randomUUID()}` };
  await store.createKey({ id: key.id, kind: 'admin', accountId: null, name: null, keyHash: key.hash, createdAt: T0, expiresAt: null, rateLimitPerSecond: null });
  return key;
}

/** Revokes the key behind the cache's back: a session whose writes fire no triggers. */
async function revokeUnheard(sql: pg.Client, id: string): Promise<void> {
  await sql.query("SET session_replication_role = 'replica'");
  await sql.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2', [T0, id]);
  await sql.query("SET session_replication_role = 'origin'");
}

describe('PostgreSQL config cache', () => {
  it('answers from memory until a change is heard', async () => {
    const { a, sql } = await twoNodes();
    const key = await newKey(a);
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(false);
    await revokeUnheard(sql, key.id);
    // The cache answered: the revocation was written where no trigger told anyone.
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(false);
  });

  it('sees its own node’s changes at once', async () => {
    const { a } = await twoNodes();
    const key = await newKey(a);
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(false);
    await a.revokeKey(key.id, T0 + 1);
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(true);

    expect(await a.findCandidateEndpoints(null)).toEqual([]);
    const created = await a.createEndpoint(endpoint());
    expect((await a.findCandidateEndpoints(null)).map((found) => found.id)).toEqual([created.id]);
    await a.updateEndpoint(created.id, { ...endpoint(), active: false }, T0 + 2);
    expect(await a.findCandidateEndpoints(null)).toEqual([]);
  });

  it('hears another node’s changes', async () => {
    const { a, b } = await twoNodes();
    const key = await newKey(a);
    expect(await a.findCandidateEndpoints(null)).toEqual([]);
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(false);
    const created = await b.createEndpoint(endpoint());
    await b.revokeKey(key.id, T0 + 1);
    await waitFor(async () => (await a.findCandidateEndpoints(null)).length === 1 && (await a.findKeyByHash(key.hash))?.revoked === true);
    expect((await a.findCandidateEndpoints(null))[0]!.id).toBe(created.id);
  });

  it('forgets everything when it stops hearing changes', async () => {
    const { a, sql } = await twoNodes();
    const key = await newKey(a);
    expect((await a.findKeyByHash(key.hash))?.revoked).toBe(false);
    await revokeUnheard(sql, key.id);
    // Changes made while a node's notification connection is down never reach it.
    await sql.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN hookd_work%'");
    await waitFor(async () => (await a.findKeyByHash(key.hash))?.revoked === true);
  });

  it('notifies on routing changes only, not on the delivery path’s pause and health writes', async () => {
    const { a, sql } = await twoNodes();
    const created = await a.createEndpoint(endpoint());
    const heard: string[] = [];
    sql.on('notification', (message) => heard.push(message.payload ?? ''));
    await sql.query('LISTEN hookd_config');
    await a.pauseEndpoint(created.id, T0 + 60_000, 'test', T0);
    await a.countEndpointFailure(created.id);
    await a.touchKeys([(await newKey(a)).id], T0);
    await a.updateEndpoint(created.id, { ...endpoint(), url: 'https://example.com/other' }, T0 + 1);
    // Notifications arrive in commit order: once the last change is heard, the others would have been.
    await waitFor(() => heard.length > 0);
    expect(heard).toEqual(['endpoints']);
  });

  it('draws the same line as the triggers', () => {
    const migration = readFileSync(new URL('../../migrations/postgres/0023_config_change_notify.sql', import.meta.url), 'utf8');
    for (const side of ['OLD', 'NEW']) {
      const inTrigger = [...migration.matchAll(new RegExp(`to_jsonb\\(${side}\\) - ARRAY\\[([^\\]]+)\\]`, 'g'))].map((match) => match[1]!);
      expect(inTrigger, side).toHaveLength(1);
      const columns = inTrigger[0]!.split(',').map((column) => column.trim().replace(/'/g, ''));
      expect(new Set(columns), side).toEqual(OPERATIONAL_COLUMNS.endpoints);
      expect(migration).toContain(`(to_jsonb(${side}) - 'last_used_at')`);
      expect(migration).toContain(`(to_jsonb(${side}) - 'callback_secret')`);
    }
    expect([...OPERATIONAL_COLUMNS.api_keys]).toEqual(['last_used_at']);
    expect([...OPERATIONAL_COLUMNS.accounts]).toEqual(['callback_secret']);
  });
});
