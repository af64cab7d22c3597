import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, type ServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Three hookd processes on one PostgreSQL database share the queue: every delivery is made, and
// in normal operation none is made twice.

describe('several nodes on one PostgreSQL database', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let nodes: ServerProcess[] = [];

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await receiver?.close();
    await database?.drop();
  });

  it('delivers 5,000 events to 5 endpoints through 3 nodes, each webhook-id exactly once', async () => {
    const env = { HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: 'hk_admin_cluster_test_0123456789', HOOKD_LOG_LEVEL: 'warn' };
    // Started together: the migrations run once, under the advisory lock.
    nodes = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
    const [first] = nodes;
    await first!.request('POST', '/v1/event-types', { name: 'load.tick' });
    for (let i = 0; i < 5; i++) {
      expect((await first!.request('POST', '/v1/endpoints', { url: `${receiver.url}/ep${i}`, eventTypes: ['load.tick'] })).status).toBe(201);
    }
    // Batches go to the nodes in turn: every node ingests, and every node's worker claims.
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 500 }, (_, i) => ({ type: 'load.tick', payload: { n: batch * 500 + i } }));
      const response = await nodes[batch % 3]!.request('POST', '/v1/events/batch', { events });
      expect(response.status).toBe(202);
    }
    await waitFor(() => receiver.requests.length >= 25_000, { timeoutMs: 120_000, intervalMs: 200, what: '25,000 deliveries' });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const ids = receiver.requests.map((request) => String(request.headers['webhook-id']));
    expect(ids).toHaveLength(25_000);
    expect(new Set(ids).size).toBe(25_000);
    for (let i = 0; i < 5; i++) {
      const numbers = new Set(receiver.requestsTo(`/ep${i}`).map((request) => JSON.parse(request.body).data.n as number));
      expect(numbers.size).toBe(5000);
    }
  }, 180_000);

  it('fires each operation timeout once although every node sweeps', async () => {
    const [first, second] = nodes;
    await first!.request('POST', '/v1/event-types', { name: 'device.reboot' });
    const protocols: string[] = [];
    for (let i = 0; i < 200; i++) {
      const node = i % 2 === 0 ? first! : second!;
      const response = await node.request('POST', '/v1/operations', { type: 'device.reboot', subject: `RTR-${i}`, callbackUrl: `${receiver.url}/ops`, timeoutSeconds: 1 });
      protocols.push(response.body.protocol);
    }
    await waitFor(() => receiver.requestsTo('/ops').length >= 200, { timeoutMs: 30_000, what: '200 timed_out webhooks' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seen = receiver.requestsTo('/ops').map((request) => JSON.parse(request.body).data.protocol as string);
    expect(seen).toHaveLength(200);
    expect(new Set(seen)).toEqual(new Set(protocols));
  }, 60_000);
});
