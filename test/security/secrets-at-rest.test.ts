import { execFile } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { sqliteFileText } from '../support/secrets-at-rest.js';
import { startServer, startServerProcess, tempDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);

describe('signing secrets at rest', () => {
  let receiver: Receiver;
  let dir: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    dir = tempDir();
  });
  afterAll(async () => {
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are sealed with HOOKD_ENCRYPTION_KEY, still sign, and survive a key rotation', async () => {
    const dbPath = join(dir, 'sealed.db');
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const base = { HOOKD_DATABASE_URL: `sqlite:${dbPath}`, HOOKD_ADMIN_KEY: 'hk_admin_sealed_test_0123456789' };

    const first = await startServerProcess({ ...base, HOOKD_ENCRYPTION_KEY: keyA });
    await first.request('POST', '/v1/event-types', { name: 'tick' });
    const endpoint = (await first.request('POST', '/v1/endpoints', { url: `${receiver.url}/sealed`, eventTypes: ['tick'] })).body;
    const signed = (await first.request('POST', '/v1/endpoints', { url: `${receiver.url}/sealed-ed25519`, eventTypes: ['tick'], signing: 'ed25519' })).body;
    const publicKey = (await first.request('GET', `/v1/endpoints/${signed.id}/secret`)).body.publicKey as string;
    const callbackSecret = (await first.request('GET', '/v1/callback-secret')).body.secret as string;
    expect((await first.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.secret).toBe(endpoint.secret);
    await first.stop();

    // Nothing in the database file is a secret in the clear.
    const secretPart = (secret: string) => secret.slice('whsec_'.length);
    const fileText = () => sqliteFileText(dbPath);
    expect(fileText()).not.toContain(secretPart(endpoint.secret));
    expect(fileText()).not.toContain(secretPart(callbackSecret));
    const stored = new Database(dbPath, { readonly: true }).prepare('SELECT secret FROM endpoints WHERE id = ?').get(endpoint.id) as { secret: string };
    expect(stored.secret).toMatch(/^enc:v1:/);
    // The ed25519 signing key too: sealed, never in the clear (its public half is derived, not stored).
    const storedKey = new Database(dbPath, { readonly: true }).prepare('SELECT signing_key FROM endpoints WHERE id = ?').get(signed.id) as { signing_key: string };
    expect(storedKey.signing_key).toMatch(/^enc:v1:/);
    expect(fileText()).not.toContain('whsk_');
    expect(fileText()).not.toContain(publicKey.slice('whpk_'.length));

    // Without the key, hookd cannot sign: the secret is useless to whoever copies the file.
    // Rotation: B is current, A still opens old values; reseal rewrites them under B.
    const env = { PATH: process.env.PATH ?? '', ...base, HOOKD_ENCRYPTION_KEY: keyB, HOOKD_ENCRYPTION_OLD_KEYS: keyA };
    const resealed = await run(process.execPath, [join(packageRoot, 'dist/src/main.js'), 'secrets', 'reseal'], { env });
    expect(resealed.stdout).toContain('resealed the secrets of 2 endpoints');

    const second = await startServerProcess({ ...base, HOOKD_ENCRYPTION_KEY: keyB });
    try {
      await second.request('POST', '/v1/events', { type: 'tick', payload: { n: 1 } });
      const request = await waitFor(() => receiver.requestsTo('/sealed')[0]);
      expect(() =>
        new Webhook(endpoint.secret).verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ).not.toThrow();
      // The resealed signing key still signs: the receiver verifies v1a with the same public key.
      const signedRequest = await waitFor(() => receiver.requestsTo('/sealed-ed25519')[0]);
      const rawKey = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawKey.toString('base64url') }, format: 'jwk' });
      const content = `${String(signedRequest.headers['webhook-id'])}.${String(signedRequest.headers['webhook-timestamp'])}.${signedRequest.body}`;
      const signature = String(signedRequest.headers['webhook-signature']);
      expect(signature).toMatch(/^v1a,/);
      expect(verify(null, Buffer.from(content), key, Buffer.from(signature.slice('v1a,'.length), 'base64'))).toBe(true);
      expect((await second.request('GET', '/v1/callback-secret')).body.secret).toBe(callbackSecret);
    } finally {
      await second.stop();
    }
  });

  it('API keys: the database holds only their SHA-256, never the key', async () => {
    const dbPath = join(dir, 'keys.db');
    const server = await startServer({}, dbPath);
    let clear: string;
    try {
      const created = await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'acme' });
      clear = created.body.key;
      expect((await server.request('GET', '/v1/endpoints', undefined, clear)).status).toBe(200);
    } finally {
      await server.close();
    }
    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM api_keys').all() as Array<Record<string, unknown>>;
      expect(rows.map((row) => row.key_hash)).toContain(createHash('sha256').update(clear).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(clear.slice('hk_account_'.length));
      expect(JSON.stringify(rows)).not.toContain(server.adminKey.slice('hk_admin_'.length));
    } finally {
      db.close();
    }
  });

  it('refuses to start with a malformed key, saying which', async () => {
    const env = { PATH: process.env.PATH ?? '', HOOKD_DATABASE_URL: `sqlite:${join(dir, 'bad.db')}`, HOOKD_ENCRYPTION_KEY: 'not-32-bytes', HOOKD_PORT: '0' };
    await expect(run(process.execPath, [join(packageRoot, 'dist/src/main.js'), 'serve'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('HOOKD_ENCRYPTION_KEY must be the base64 of 32 bytes'),
    });
  });
});
