import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, type ServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('rateLimitPerSecond across nodes', () => {
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

  it('holds for the endpoint as a whole when two nodes deliver to it', async () => {
    const env = { HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: 'hk_admin_rate_test_0123456789' };
    nodes = [await startServerProcess(env), await startServerProcess(env)];
    await nodes[0]!.request('POST', '/v1/event-types', { name: 'tick' });
    await nodes[0]!.request('POST', '/v1/endpoints', { url: `${receiver.url}/limited`, eventTypes: ['tick'], rateLimitPerSecond: 10 });
    // Both nodes ingest, and both nodes' workers claim.
    await Promise.all(
      nodes.map((node, n) =>
        node.request('POST', '/v1/events/batch', { events: Array.from({ length: 15 }, (_, i) => ({ type: 'tick', payload: { n, i } })) }),
      ),
    );
    await waitFor(() => receiver.requestsTo('/limited').length === 30, { timeoutMs: 20_000, what: '30 deliveries' });
    const times = receiver.requestsTo('/limited').map((request) => request.receivedAt).sort((a, b) => a - b);
    // 30 attempts at 10 per second take 2.9 s when the limit is the endpoint's as a whole; if each
    // node limited only itself they would take 1.45 s. The margin absorbs a loaded machine's jitter.
    expect(times[29]! - times[0]!).toBeGreaterThanOrEqual(2300);
  }, 60_000);
});
