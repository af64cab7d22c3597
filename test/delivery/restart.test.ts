import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { useReceiverAndDirectory } from '../support/receiver-and-directory.js';

// The queue is in the database: a retry scheduled before a restart still happens after it, and
// an accepted event survives kill -9. These run the built CLI as its own OS process.

describe('durability across restarts', () => {
  const scene = useReceiverAndDirectory();

  it('keeps a retry scheduled before a graceful restart', async () => {
    const env = { HOOKD_DATABASE_URL: `sqlite:${join(scene.dir, 'restart.db')}`, HOOKD_ADMIN_KEY: 'hk_admin_restart_test_key_0123456789' };
    scene.receiver.script('/restart', [{ status: 503 }, { status: 200 }]);
    const first = await startServerProcess(env);
    await createEventTypes(first, 'device.rebooted');
    await createEndpoint(first, {
      url: `${scene.receiver.url}/restart`,
      eventTypes: ['device.rebooted'],
      retry: { schedule: 'custom', delaysSeconds: [2] },
    });
    const { id } = await postEvent(first, { type: 'device.rebooted', payload: { subject: 'RTR-42' } });
    await waitFor(() => scene.receiver.requestsTo('/restart').length === 1, { what: 'the first attempt' });
    expect(await first.stop()).toBe(0);

    const second = await startServerProcess(env);
    try {
      await waitFor(() => scene.receiver.requestsTo('/restart').length === 2, { timeoutMs: 15_000, what: 'the retry after restart' });
      const [delivery] = await waitFor(async () => {
        const data = (await second.request('GET', `/v1/deliveries?eventId=${id}`)).body.data;
        return data[0]?.status === 'succeeded' ? data : null;
      });
      expect(delivery.attempts).toBe(2);
      const ids = scene.receiver.requestsTo('/restart').map((request) => request.headers['webhook-id']);
      expect(ids[0]).toBe(ids[1]);
    } finally {
      await second.stop();
    }
  });

  it('delivers an accepted event after the node is killed with SIGKILL', async () => {
    const env = {
      HOOKD_DATABASE_URL: `sqlite:${join(scene.dir, 'kill.db')}`,
      HOOKD_ADMIN_KEY: 'hk_admin_kill_test_key_0123456789',
      HOOKD_LEASE_SECONDS: '5',
    };
    // The receiver holds the first request open: the node dies with the attempt in flight.
    scene.receiver.script('/killed', ['hang', { status: 200 }]);
    const first = await startServerProcess(env);
    await createEventTypes(first, 'device.rebooted');
    await createEndpoint(first, { url: `${scene.receiver.url}/killed`, eventTypes: ['device.rebooted'] });
    const accepted = await first.request('POST', '/v1/events', { type: 'device.rebooted', payload: { subject: 'RTR-7' } });
    expect(accepted.status).toBe(202);
    await waitFor(() => scene.receiver.requestsTo('/killed').length === 1, { what: 'the attempt in flight' });
    await first.kill();

    const second = await startServerProcess(env);
    try {
      // The lease of the dead node runs out, then the delivery is attempted again, same webhook-id.
      await waitFor(() => scene.receiver.requestsTo('/killed').length === 2, { timeoutMs: 20_000, what: 'the delivery after kill -9' });
      const ids = scene.receiver.requestsTo('/killed').map((request) => request.headers['webhook-id']);
      expect(ids[1]).toBe(ids[0]);
      await waitFor(async () => {
        const data = (await second.request('GET', `/v1/deliveries?eventId=${accepted.body.id}`)).body.data;
        return data[0]?.status === 'succeeded';
      });
    } finally {
      await second.stop();
    }
  });

  it('generates an admin key once, on the first start of an empty database, into a 0600 file and not the log', async () => {
    const dbPath = join(scene.dir, 'first-start.db');
    const keyFile = join(scene.dir, 'hookd-admin-key');
    const first = await startServerProcess({ HOOKD_DATABASE_URL: `sqlite:${dbPath}`, HOOKD_ADMIN_KEY: '' });
    // Not a terminal: the key is in a file beside the database, only its path in the log.
    await waitFor(() => first.output().includes(keyFile), { what: 'the key file logged' });
    const generated = readFileSync(keyFile, 'utf8').trim();
    expect(generated).toMatch(/^hk_admin_[A-Za-z0-9_-]+$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.output()).not.toContain('hk_admin_');
    expect((await first.request('GET', '/v1/keys', undefined, generated)).status).toBe(200);
    await first.stop();
    rmSync(keyFile);
    const second = await startServerProcess({ HOOKD_DATABASE_URL: `sqlite:${dbPath}`, HOOKD_ADMIN_KEY: '' });
    expect(existsSync(keyFile)).toBe(false);
    expect((await second.request('GET', '/v1/keys', undefined, generated)).status).toBe(200);
    await second.stop();
  });
});
