import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { parseEncryptionKey, SecretBox } from '../../src/domain/secret-box.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../support/cli-process.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { createTestDatabase } from '../support/postgres.js';
import { sqliteFileText, useSecretsScene, type SecretsScene } from '../support/secrets-at-rest.js';
import { startServer, tempDir, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// A stolen database opens nothing: with the DEFAULT configuration (no HOOKD_ENCRYPTION_KEY) an
// SQLite install seals every secret with the key it generated into a file beside the database,
// and a PostgreSQL dump holds no secret either. The test makes one endpoint of each kind of
// secret, then greps the database file, its WAL, and a pg_dump for every one of them.

const run = promisify(execFile);

interface Planted {
  /** Every secret and credential string that must never be found at rest. */
  strings: string[];
  /** An endpoint whose receiver gets the custom headers and bearer auth, to prove they still open. */
  headersEndpointId: string;
  signingSecret: string;
}

const HEADER_TOKEN = `header-bearer-${randomBytes(8).toString('hex')}`;
const HEADER_API_KEY = `x-api-key-${randomBytes(8).toString('hex')}`;

/** Creates endpoints carrying each kind of secret and delivers one event to the one with headers. */
async function plantSecrets(server: TestServer, { receiver, certs }: SecretsScene, path: string): Promise<Planted> {
  const auth = { password: `basic-pw-${randomBytes(8).toString('hex')}`, token: `bearer-${randomBytes(8).toString('hex')}`, clientSecret: `oauth-${randomBytes(8).toString('hex')}` };
  await createEventTypes(server, 'sealed.tick');
  const url = 'https://hooks.example.com/in';
  const withHeaders = await createEndpoint(server, {
    url: `${receiver.url}${path}`,
    eventTypes: ['sealed.tick'],
    headers: { Authorization: `Bearer ${HEADER_TOKEN}`, 'X-Api-Key': HEADER_API_KEY },
  });
  const basic = await createEndpoint(server, { url, auth: { type: 'basic', username: 'u', password: auth.password } });
  await createEndpoint(server, { url, auth: { type: 'bearer', token: auth.token } });
  await createEndpoint(server, { url, auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/t', clientId: 'c', clientSecret: auth.clientSecret } });
  await createEndpoint(server, { url, auth: { type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem } });
  const ed25519 = await createEndpoint(server, { url, signing: 'ed25519' });
  const signingKey = (await server.request('GET', `/v1/endpoints/${ed25519.id}/secret`)).body;
  const callbackSecret = (await server.request('GET', '/v1/callback-secret')).body.secret as string;

  await postEvent(server, { type: 'sealed.tick', payload: { n: 1 } });
  const request = await waitFor(() => receiver.requestsTo(path)[0], { what: 'the delivery with custom headers' });
  expect(request.headers.authorization).toBe(`Bearer ${HEADER_TOKEN}`);
  expect(request.headers['x-api-key']).toBe(HEADER_API_KEY);

  const secretPart = (secret: string) => secret.replace(/^wh(sec|sk|pk)_/, '');
  return {
    strings: [
      HEADER_TOKEN,
      HEADER_API_KEY,
      ...Object.values(auth),
      // A line from the middle of the private key's base64.
      certs.clientKeyPem.split('\n')[2]!,
      secretPart(withHeaders.secret),
      secretPart(basic.secret),
      secretPart(callbackSecret),
      // The ed25519 private key is never shown; its public half is derived from it, never stored.
      secretPart(signingKey.publicKey as string),
    ],
    headersEndpointId: withHeaders.id,
    signingSecret: withHeaders.secret,
  };
}

describe('secrets sealed by default', () => {
  const scene = useSecretsScene();

  it('SQLite, default configuration: a key file is generated, and the database file and WAL hold no secret', async () => {
    const { dir } = scene;
    const dbPath = join(dir, 'default.db');
    const keyFile = join(dir, 'hookd-encryption-key');
    const server = await startServer({}, dbPath);
    let planted: Planted;
    try {
      expect(existsSync(keyFile)).toBe(true);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      planted = await plantSecrets(server, scene, '/default');
      // Read while the server still runs: the WAL holds the newest pages.
      const text = sqliteFileText(dbPath);
      for (const secret of planted.strings) expect(text, secret).not.toContain(secret);
      expect(text).toContain('enc:v1:');
    } finally {
      await server.close();
    }
    const text = sqliteFileText(dbPath);
    for (const secret of planted.strings) expect(text, secret).not.toContain(secret);

    // A later start reads the same key file: the secrets still open.
    const key = readFileSync(keyFile, 'utf8');
    const again = await startServer({}, dbPath);
    try {
      expect(readFileSync(keyFile, 'utf8')).toBe(key);
      expect((await again.request('GET', `/v1/endpoints/${planted.headersEndpointId}/secret`)).body.secret).toBe(planted.signingSecret);
      expect((await again.request('GET', `/v1/endpoints/${planted.headersEndpointId}`)).body.headers).toEqual({
        Authorization: `Bearer ${HEADER_TOKEN}`,
        'X-Api-Key': HEADER_API_KEY,
      });
    } finally {
      await again.close();
    }
  });

  it('SQLite upgrade: secrets left in the clear by an earlier version are sealed on start', async () => {
    const { receiver } = scene;
    const upgradeDir = tempDir();
    const dbPath = join(upgradeDir, 'upgrade.db');
    const keyFile = join(upgradeDir, 'hookd-encryption-key');
    try {
      const server = await startServer({}, dbPath);
      let planted: Planted;
      try {
        planted = await plantSecrets(server, scene, '/upgrade-before');
      } finally {
        await server.close();
      }
      // What an earlier version left: every secret written back in the clear (a store without a
      // key writes them as they are), and no key file.
      const sealed = new SqliteStore(dbPath, { secrets: new SecretBox({ current: parseEncryptionKey(readFileSync(keyFile, 'utf8'), 'key file'), old: [] }) });
      const clear = new SqliteStore(dbPath);
      try {
        const { items } = await sealed.listEndpoints({}, { limit: 100, cursor: null });
        for (const { id } of items) {
          const endpoint = (await sealed.getEndpoint(id))!;
          await clear.updateEndpoint(id, endpoint, systemClock.now());
          await clear.setEndpointSecrets(id, endpoint.secrets, systemClock.now());
          if (endpoint.signingKeys !== null) await clear.setEndpointSigningKeys(id, endpoint.signingKeys, systemClock.now());
        }
        await clear.replaceSetting('callback_secret', (await sealed.getSetting('callback_secret'))!);
      } finally {
        await sealed.close();
        await clear.close();
      }
      rmSync(keyFile);
      expect(sqliteFileText(dbPath)).toContain(HEADER_TOKEN);

      const upgraded = await startServer({}, dbPath);
      try {
        // Sealed before the port was bound: nothing in the clear any more, in the file or the WAL.
        const text = sqliteFileText(dbPath);
        for (const secret of planted.strings) expect(text, secret).not.toContain(secret);
        expect(existsSync(keyFile)).toBe(true);
        expect((await upgraded.request('GET', `/v1/endpoints/${planted.headersEndpointId}/secret`)).body.secret).toBe(planted.signingSecret);
        await postEvent(upgraded, { type: 'sealed.tick', payload: { n: 2 } });
        const request = await waitFor(() => receiver.requestsTo('/upgrade-before')[1], { what: 'the delivery after the upgrade' });
        expect(request.headers.authorization).toBe(`Bearer ${HEADER_TOKEN}`);
        expect(request.headers['x-api-key']).toBe(HEADER_API_KEY);
      } finally {
        await upgraded.close();
      }
    } finally {
      rmSync(upgradeDir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: refuses to start without a key, naming HOOKD_ENCRYPTION_KEY', async () => {
    const database = await createTestDatabase();
    try {
      const result = await runCli(['serve', '--port', '0'], { HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: 'hk_admin_sealed_pg_0123456789abc' });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^hookd: set HOOKD_ENCRYPTION_KEY .*HOOKD_INSECURE_PLAINTEXT_SECRETS=true/);
    } finally {
      await database.drop();
    }
  });

  it('PostgreSQL: plaintext only when asked (with a warning); a later start with a key seals it all, and a dump holds no secret', async () => {
    const database = await createTestDatabase();
    const lines: string[] = [];
    const sink = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((line) => line !== '')) };
    const dump = async () => (await run('pg_dump', ['--data-only', '-d', database.url], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    try {
      const insecure = await startServer({ HOOKD_DATABASE_URL: database.url, HOOKD_INSECURE_PLAINTEXT_SECRETS: 'true' }, undefined, undefined, createLogger('warn', sink));
      let planted: Planted;
      try {
        planted = await plantSecrets(insecure, scene, '/pg');
      } finally {
        await insecure.close();
      }
      expect(lines.map((line) => JSON.parse(line) as { msg: string }).map((entry) => entry.msg)).toContainEqual(
        expect.stringContaining('secrets are stored in the clear (HOOKD_INSECURE_PLAINTEXT_SECRETS)'),
      );
      expect(await dump()).toContain(HEADER_TOKEN);

      // Two nodes start with the key at once: whichever takes the lock seals, the other skips (or finds
      // nothing left), and both serve.
      const key = randomBytes(32).toString('base64');
      const env = { HOOKD_DATABASE_URL: database.url, HOOKD_ENCRYPTION_KEY: key };
      const nodes = await Promise.all([startServer(env), startServer(env)]);
      try {
        const text = await dump();
        for (const secret of planted.strings) expect(text, secret).not.toContain(secret);
        expect(text).toContain('enc:v1:');
        for (const node of nodes) {
          expect((await node.request('GET', `/v1/endpoints/${planted.headersEndpointId}/secret`)).body.secret).toBe(planted.signingSecret);
        }
        // New secrets are sealed from the start.
        const fresh = await createEndpoint(nodes[0]!, { url: 'https://hooks.example.com/new', headers: { 'X-Api-Key': 'fresh-key-never-in-clear' } });
        const after = await dump();
        expect(after).not.toContain('fresh-key-never-in-clear');
        expect(after).not.toContain(fresh.secret.replace(/^whsec_/, ''));
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    } finally {
      await database.drop();
    }
  });
});
