import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { useReceiverAndDirectory } from '../support/receiver-and-directory.js';

describe('graceful shutdown', () => {
  const scene = useReceiverAndDirectory();

  it('finishes the attempt in flight on SIGTERM and records it before exiting', async () => {
    const env = { HOOKD_DATABASE_URL: `sqlite:${join(scene.dir, 'graceful.db')}`, HOOKD_ADMIN_KEY: 'hk_admin_graceful_test_0123456789' };
    scene.receiver.script('/slow', [{ status: 200, body: 'took my time', delayMs: 1500 }]);
    const node = await startServerProcess(env);
    await createEventTypes(node, 'report.ready');
    await createEndpoint(node, { url: `${scene.receiver.url}/slow`, eventTypes: ['report.ready'] });
    const { body } = await node.request('POST', '/v1/events', { type: 'report.ready', payload: {} });
    await waitFor(() => scene.receiver.requestsTo('/slow').length === 1);
    expect(await node.stop()).toBe(0);

    // Restarted, the delivery is already finished: nothing is sent again.
    const again = await startServerProcess(env);
    try {
      const [delivery] = (await again.request('GET', `/v1/deliveries?eventId=${body.id}`)).body.data;
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(scene.receiver.requestsTo('/slow')).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });

  it('on SIGINT finishes the attempt in flight and gives back what waited, which a restart then delivers', async () => {
    const env = {
      HOOKD_DATABASE_URL: `sqlite:${join(scene.dir, 'interrupted.db')}`,
      HOOKD_ADMIN_KEY: 'hk_admin_interrupt_test_0123456789',
      HOOKD_ENDPOINT_CONCURRENCY: '1',
    };
    scene.receiver.script('/one-at-a-time', [{ status: 200, delayMs: 1000 }]);
    const node = await startServerProcess(env);
    await createEventTypes(node, 'report.ready');
    await createEndpoint(node, { url: `${scene.receiver.url}/one-at-a-time`, eventTypes: ['report.ready'] });
    const events = [1, 2, 3, 4].map((n) => ({ type: 'report.ready', payload: { n } }));
    expect((await node.request('POST', '/v1/events/batch', { events })).status).toBe(202);
    await waitFor(() => scene.receiver.requestsTo('/one-at-a-time').length === 1);
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    node.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(scene.receiver.requestsTo('/one-at-a-time')).toHaveLength(1);

    // Nothing is left leased to the stopped worker: one delivery finished, the others wait for any worker.
    const reader = await startServerProcess({ ...env, HOOKD_ROLE: 'api' });
    try {
      const deliveries = (await reader.request('GET', '/v1/deliveries?limit=10')).body.data as Array<{ status: string }>;
      expect(deliveries.map((d) => d.status).sort()).toEqual(['pending', 'pending', 'pending', 'succeeded']);
    } finally {
      await reader.stop();
    }
    const again = await startServerProcess(env);
    try {
      await waitFor(() => scene.receiver.requestsTo('/one-at-a-time').length === 4, { timeoutMs: 20_000, what: 'the three that waited' });
      const payloads = scene.receiver.requestsTo('/one-at-a-time').map((r) => JSON.parse(r.body).data.n as number);
      expect(new Set(payloads)).toEqual(new Set([1, 2, 3, 4]));
    } finally {
      await again.stop();
    }
  }, 40_000);
});
