import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { endpoint } from './conformance.js';

// The config cache (src/store/shared/config-cache.ts) on a real SQLite file: this process's own
// changes are seen at once, and so are another process's commits (a second connection to the file
// stands for `hookd keys create` run beside the server).

const T0 = 1_800_000_000_000;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function storeOnFile(): Promise<{ store: SqliteStore; other: Database.Database }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-config-cache-'));
  const file = join(dir, 'hookd.db');
  const store = new SqliteStore(file);
  await store.migrate();
  const other = new Database(file);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close(), () => {
    other.close();
  });
  return { store, other };
}

async function newKey(store: SqliteStore): Promise<{ id: string; hash: string }> {
  const key = { id: newId('key', T0), hash: `hash_${randomUUID()}` };
  await store.createKey({ id: key.id, kind: 'admin', accountId: null, name: null, keyHash: key.hash, createdAt: T0, expiresAt: null, rateLimitPerSecond: null });
  return key;
}

describe('SQLite config cache', () => {
  it('answers from memory: the second read is the first answer itself', async () => {
    const { store } = await storeOnFile();
    const key = await newKey(store);
    const first = await store.findKeyByHash(key.hash);
    expect(first?.revoked).toBe(false);
    expect(await store.findKeyByHash(key.hash)).toBe(first);
    const created = await store.createEndpoint(endpoint());
    const candidates = await store.findCandidateEndpoints(null);
    expect(candidates.map((found) => found.id)).toEqual([created.id]);
    expect(await store.findCandidateEndpoints(null)).toBe(candidates);
  });

  it('sees its own changes at once, and keeps its answers through the delivery path’s pause and health writes', async () => {
    const { store } = await storeOnFile();
    const key = await newKey(store);
    expect((await store.findKeyByHash(key.hash))?.revoked).toBe(false);
    await store.revokeKey(key.id, T0 + 1);
    expect((await store.findKeyByHash(key.hash))?.revoked).toBe(true);

    expect(await store.findCandidateEndpoints(null)).toEqual([]);
    const created = await store.createEndpoint(endpoint());
    const candidates = await store.findCandidateEndpoints(null);
    expect(candidates.map((found) => found.id)).toEqual([created.id]);
    await store.pauseEndpoint(created.id, T0 + 60_000, 'test', T0);
    await store.countEndpointFailure(created.id);
    expect(await store.findCandidateEndpoints(null)).toBe(candidates);
    await store.updateEndpoint(created.id, { ...endpoint(), active: false }, T0 + 2);
    expect(await store.findCandidateEndpoints(null)).toEqual([]);
  });

  it('sees another process’s commit to the file at the next read', async () => {
    const { store, other } = await storeOnFile();
    const key = await newKey(store);
    expect((await store.findKeyByHash(key.hash))?.revoked).toBe(false);
    expect(await store.findCandidateEndpoints(null)).toEqual([]);
    other.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(T0 + 1, key.id);
    expect((await store.findKeyByHash(key.hash))?.revoked).toBe(true);
    const created = await store.createEndpoint(endpoint());
    expect((await store.findCandidateEndpoints(null)).map((found) => found.url)).toEqual([created.url]);
    other.prepare("UPDATE endpoints SET url = 'https://example.com/moved' WHERE id = ?").run(created.id);
    expect((await store.findCandidateEndpoints(null)).map((found) => found.url)).toEqual(['https://example.com/moved']);
  });
});
