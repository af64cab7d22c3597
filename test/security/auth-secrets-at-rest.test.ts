import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKey, SecretBox } from '../../src/domain/secret-box.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { sqliteFileText, useSecretsScene } from '../support/secrets-at-rest.js';
import { startServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Receiver-auth secrets (password, token, clientSecret, keyPem) and broker URLs' passwords at rest: with HOOKD_ENCRYPTION_KEY
// the SQLite file and its WAL never hold them in the clear, deliveries still authenticate, and a
// key rotation's reseal rewrites them under the new key. (SQLite: the test greps the file.)

describe('receiver-auth secrets at rest', () => {
  const scene = useSecretsScene();

  it('are sealed with HOOKD_ENCRYPTION_KEY, still authenticate, and are resealed on rotation', async () => {
    const { receiver, certs, dir } = scene;
    const dbPath = join(dir, 'auth.db');
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const secrets = {
      password: 'basic-password-in-the-clear',
      token: 'bearer-token-in-the-clear',
      clientSecret: 'oauth-client-secret-in-the-clear',
      brokerPassword: 'broker-password-in-the-clear',
      natsToken: 'nats-token-in-the-clear',
    };
    // A line from the middle of the private key's base64.
    const keyLine = certs.clientKeyPem.split('\n')[2]!;

    const server = await startServer({ HOOKD_ENCRYPTION_KEY: keyA }, dbPath);
    const ids: Record<string, string> = {};
    try {
      await createEventTypes(server, 'sealed.tick');
      const url = 'https://hooks.example.com/in';
      ids.basic = (await createEndpoint(server, { url, auth: { type: 'basic', username: 'u', password: secrets.password } })).id;
      ids.oauth2 = (await createEndpoint(server, { url, auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/t', clientId: 'c', clientSecret: secrets.clientSecret } })).id;
      ids.mtls = (await createEndpoint(server, { url, auth: { type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem } })).id;
      ids.broker = (
        await createEndpoint(server, { url: `amqp://hookd:${secrets.brokerPassword}@mq.example.com:5672/`, destination: { type: 'rabbitmq', exchange: 'hooks' } })
      ).id;
      // NATS's token is the URL's lone username: sealed like a password.
      ids.nats = (await createEndpoint(server, { url: `nats://${secrets.natsToken}@nats.example.com:4222`, destination: { type: 'nats', subject: 'hooks' } })).id;
      const shown = (await server.request('GET', `/v1/endpoints/${ids.nats}`)).body;
      expect(shown.url).toBe('nats://nats.example.com:4222');
      expect(JSON.stringify(shown)).not.toContain(secrets.natsToken);
      ids.bearer = (await createEndpoint(server, { url: `${receiver.url}/sealed`, eventTypes: ['sealed.tick'], auth: { type: 'bearer', token: secrets.token } })).id;
      await postEvent(server, { type: 'sealed.tick', payload: {} });
      const request = await waitFor(() => receiver.requestsTo('/sealed')[0], { what: 'the delivery' });
      expect(request.headers.authorization).toBe(`Bearer ${secrets.token}`);
    } finally {
      await server.close();
    }

    const fileText = () => sqliteFileText(dbPath);
    for (const secret of [...Object.values(secrets), keyLine]) expect(fileText()).not.toContain(secret);
    expect(fileText()).toContain('enc:v1:');

    // Rotation: B is current, A still opens; reseal rewrites every auth secret under B.
    const rotating = new SqliteStore(dbPath, { secrets: new SecretBox({ current: parseEncryptionKey(keyB, 'B'), old: [parseEncryptionKey(keyA, 'A')] }) });
    try {
      expect(await rotating.sealStaleSecrets()).toEqual({ endpoints: 6, accounts: 0, settings: 1 });
    } finally {
      await rotating.close();
    }
    const onlyB = new SqliteStore(dbPath, { secrets: new SecretBox({ current: parseEncryptionKey(keyB, 'B'), old: [] }) });
    try {
      expect((await onlyB.getEndpoint(ids.basic!))?.auth).toEqual({ type: 'basic', username: 'u', password: secrets.password });
      expect((await onlyB.getEndpoint(ids.oauth2!))?.auth).toMatchObject({ clientSecret: secrets.clientSecret });
      expect((await onlyB.getEndpoint(ids.mtls!))?.auth).toMatchObject({ keyPem: certs.clientKeyPem });
      expect((await onlyB.getEndpoint(ids.bearer!))?.auth).toEqual({ type: 'bearer', token: secrets.token });
      const broker = await onlyB.getEndpoint(ids.broker!);
      expect(broker?.url).toBe('amqp://hookd@mq.example.com:5672/');
      expect(broker?.destination).toMatchObject({ type: 'rabbitmq', password: secrets.brokerPassword });
      const nats = await onlyB.getEndpoint(ids.nats!);
      expect(nats?.url).toBe('nats://nats.example.com:4222');
      expect(nats?.destination).toMatchObject({ type: 'nats', password: secrets.natsToken });
    } finally {
      await onlyB.close();
    }
    for (const secret of [...Object.values(secrets), keyLine]) expect(fileText()).not.toContain(secret);
  });
});
