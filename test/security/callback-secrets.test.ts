import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEncryptionKey, SecretBox } from '../../src/domain/secret-box.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ReceivedRequest, Receiver } from '../support/receiver.js';
import { startReceiver } from '../support/receiver.js';
import { createTestSchema } from '../support/postgres.js';
import { sqliteFileText } from '../support/secrets-at-rest.js';
import { startServer, tempDir, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Callbacks (deliveries to an event's one-off callbackUrl) are signed with their account's own
// secret: the secret one account is given to verify its callbacks cannot forge another's.

function verifies(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

describe('per-account callback secrets', () => {
  let server: TestServer;
  let receiver: Receiver;
  let keyA: string;
  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await server.request('POST', '/v1/event-types', { name: 'fax.sent' });
    keyA = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'tenant-a' })).body.key;
    await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'tenant-b' });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('signs each account\'s callbacks with its own secret, and events without an account with the provider\'s', async () => {
    for (const [accountId, path] of [['tenant-a', '/cb-a'], ['tenant-b', '/cb-b'], [null, '/cb-provider']] as const) {
      const sent = await server.request('POST', '/v1/events', { type: 'fax.sent', payload: { path }, accountId, callbackUrl: `${receiver.url}${path}` });
      expect(sent.status).toBe(202);
    }
    const [toA, toB, toProvider] = await Promise.all(['/cb-a', '/cb-b', '/cb-provider'].map((path) => waitFor(() => receiver.requestsTo(path)[0])));
    const secretA = (await server.request('GET', '/v1/accounts/tenant-a/callback-secret')).body.secret as string;
    const secretB = (await server.request('GET', '/v1/accounts/tenant-b/callback-secret')).body.secret as string;
    const provider = (await server.request('GET', '/v1/callback-secret')).body.secret as string;
    expect(secretA).toMatch(/^whsec_/);
    expect(new Set([secretA, secretB, provider]).size).toBe(3);
    expect([verifies(secretA, toA!), verifies(secretB, toA!), verifies(provider, toA!)]).toEqual([true, false, false]);
    expect([verifies(secretA, toB!), verifies(secretB, toB!), verifies(provider, toB!)]).toEqual([false, true, false]);
    expect([verifies(secretA, toProvider!), verifies(secretB, toProvider!), verifies(provider, toProvider!)]).toEqual([false, false, true]);
    // The secret stays what it was: asked again, and after more callbacks.
    expect((await server.request('GET', '/v1/accounts/tenant-a/callback-secret', undefined, keyA)).body.secret).toBe(secretA);
  });

  it('signs an operation\'s callback with its account\'s secret', async () => {
    const started = await server.request('POST', '/v1/operations', { type: 'fax.sent', accountId: 'tenant-a', callbackUrl: `${receiver.url}/op-a` });
    expect(started.status).toBe(202);
    await server.request('POST', `/v1/operations/${started.body.protocol}/complete`, { status: 'succeeded' });
    const request = await waitFor(() => receiver.requestsTo('/op-a')[0]);
    const secretA = (await server.request('GET', '/v1/accounts/tenant-a/callback-secret', undefined, keyA)).body.secret as string;
    const provider = (await server.request('GET', '/v1/callback-secret')).body.secret as string;
    expect([verifies(secretA, request), verifies(provider, request)]).toEqual([true, false]);
  });

  it('lets an account key read its own account\'s secret only: another account is answered like an unknown one', async () => {
    const own = await server.request('GET', '/v1/accounts/tenant-a/callback-secret', undefined, keyA);
    expect(own.status).toBe(200);
    const foreign = await server.request('GET', '/v1/accounts/tenant-b/callback-secret', undefined, keyA);
    const unknown = await server.request('GET', '/v1/accounts/no-such-tenant/callback-secret', undefined, keyA);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    const secretB = (await server.request('GET', '/v1/accounts/tenant-b/callback-secret')).body.secret as string;
    expect(JSON.stringify(foreign.body)).not.toContain(secretB);
    // Admins: any account that exists; an unknown one is a 404 (and is not created).
    const adminUnknown = await server.request('GET', '/v1/accounts/no-such-tenant/callback-secret');
    expect(adminUnknown.status).toBe(404);
    expect((await server.request('GET', '/v1/accounts/no-such-tenant')).status).toBe(404);
    // The provider's secret stays admin-only.
    expect((await server.request('GET', '/v1/callback-secret', undefined, keyA)).status).toBe(403);
  });

  it('creates an account\'s secret once when several ask at the same time', async () => {
    await server.request('PUT', '/v1/accounts/tenant-c', { name: 'C' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => server.request('GET', '/v1/accounts/tenant-c/callback-secret')));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.body.secret)).size).toBe(1);
  });
});

describe('per-account callback secrets at rest', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are sealed in the SQLite file when HOOKD_ENCRYPTION_KEY is set, and resealed on a key rotation', async () => {
    const dbPath = join(dir, 'sealed.db');
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const server = await startServer({ HOOKD_ENCRYPTION_KEY: keyA }, dbPath);
    let secret: string;
    try {
      await server.request('PUT', '/v1/accounts/acme', {});
      secret = (await server.request('GET', '/v1/accounts/acme/callback-secret')).body.secret as string;
      expect(secret).toMatch(/^whsec_/);
    } finally {
      await server.close();
    }
    const fileText = sqliteFileText(dbPath);
    expect(fileText).not.toContain(secret.slice('whsec_'.length));
    const stored = (): string => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return (db.prepare('SELECT callback_secret FROM accounts WHERE id = ?').get('acme') as { callback_secret: string }).callback_secret;
      } finally {
        db.close();
      }
    };
    const sealedWithA = stored();
    expect(sealedWithA).toMatch(/^enc:v1:/);

    // Rotation: B is current, A still opens; reseal rewrites the account's secret under B.
    const rotating = new SqliteStore(dbPath, { secrets: new SecretBox({ current: parseEncryptionKey(keyB, 'B'), old: [parseEncryptionKey(keyA, 'A')] }) });
    try {
      expect((await rotating.sealStaleSecrets()).accounts).toBe(1);
    } finally {
      await rotating.close();
    }
    expect(stored()).toMatch(/^enc:v1:/);
    expect(stored()).not.toBe(sealedWithA);
    const onlyB = new SqliteStore(dbPath, { secrets: new SecretBox({ current: parseEncryptionKey(keyB, 'B'), old: [] }) });
    try {
      expect(await onlyB.getAccountCallbackSecret('acme')).toBe(secret);
    } finally {
      await onlyB.close();
    }
  });
});

describe('per-account callback secrets across nodes', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let dir: string;
  let nodes: TestServer[] = [];
  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestSchema()]);
    dir = tempDir();
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await receiver?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sign a new account\'s first callbacks on two PostgreSQL nodes at once with one secret', async () => {
    // Two nodes (each with its own cache) on one database; each sends the events it ingests.
    const env = { HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: 'hk_admin_callback_nodes_0123456789' };
    nodes = [await startServer(env, join(dir, 'unused-1.db')), await startServer(env, join(dir, 'unused-2.db'))];
    await nodes[0]!.request('POST', '/v1/event-types', { name: 'fax.sent' });
    const sent = await Promise.all(
      nodes.flatMap((node, n) =>
        [0, 1, 2].map((i) => node.request('POST', '/v1/events', { type: 'fax.sent', payload: { n, i }, accountId: 'fresh', callbackUrl: `${receiver.url}/fresh-${n}-${i}` })),
      ),
    );
    expect(sent.map((response) => response.status)).toEqual([202, 202, 202, 202, 202, 202]);
    const requests = await waitFor(() => {
      const all = receiver.requests.filter((request) => request.url.startsWith('/fresh-'));
      return all.length === 6 ? all : undefined;
    });
    const [fromFirst, fromSecond] = await Promise.all(nodes.map((node) => node.request('GET', '/v1/accounts/fresh/callback-secret')));
    expect(fromFirst!.body.secret).toBe(fromSecond!.body.secret);
    for (const request of requests) expect(verifies(fromFirst!.body.secret as string, request), request.url).toBe(true);
  });
});
