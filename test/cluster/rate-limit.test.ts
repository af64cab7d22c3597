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
    // 30 attempts at 10 per second: at least 29 intervals of 100 ms, whichever node sent them.
    expect(times[29]! - times[0]!).toBeGreaterThanOrEqual(2700);
    // And no second holds more than the limit (a little slack for the receiver's clock).
    for (let i = 0; i + 11 < times.length; i++) expect(times[i + 11]! - times[i]!).toBeGreaterThanOrEqual(1000);
  }, 60_000);
});
