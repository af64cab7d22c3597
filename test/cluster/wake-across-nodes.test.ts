import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// On PostgreSQL an API node wakes the worker nodes with NOTIFY when it stores deliveries due now.
// With the workers' idle poll an hour away, only that wake-up can get these events delivered.

describe('an API node wakes a worker node through PostgreSQL', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let api: TestServer;
  let worker: TestServer;

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
    api = await startServer({ HOOKD_DATABASE_URL: database.url, HOOKD_ROLE: 'api' });
    worker = await startServer({ HOOKD_DATABASE_URL: database.url, HOOKD_ROLE: 'worker', HOOKD_ADMIN_KEY: api.adminKey }, undefined, undefined, undefined, { idlePollMs: 3600_000 });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver?.close();
    await database?.drop();
  });

  it('delivers what the API node accepted, each time, without the worker polling', async () => {
    await api.request('POST', '/v1/event-types', { name: 'order.paid' });
    await createEndpoint(api, { url: `${receiver.url}/woken`, eventTypes: ['order.paid'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const order of [1, 2, 3]) {
      await postEvent(api, { type: 'order.paid', payload: { order } });
      await waitFor(() => receiver.requestsTo('/woken').length === order, { timeoutMs: 10_000, what: `delivery of order ${order}` });
    }
    expect(receiver.requestsTo('/woken').map((r) => JSON.parse(r.body).data.order)).toEqual([1, 2, 3]);
  });

  it('delivers a manual retry made on the API node (regression: only a listening node announced it)', async () => {
    await createEndpoint(api, { url: `${receiver.url}/retried`, eventTypes: ['order.paid'], retry: { enabled: false } });
    receiver.script('/retried', [{ status: 500 }, { status: 200 }]);
    await postEvent(api, { type: 'order.paid', payload: { order: 4 } });
    const dropped = await waitFor(async () => {
      const data = (await api.request('GET', '/v1/deliveries?status=dropped&limit=10')).body.data as Array<{ id: string; endpointId: string }>;
      return data[0] ?? null;
    }, { timeoutMs: 10_000, what: 'the first attempt to fail' });
    expect((await api.request('POST', `/v1/deliveries/${dropped.id}/retry`)).status).toBe(202);
    await waitFor(() => receiver.requestsTo('/retried').length === 2, { timeoutMs: 10_000, what: 'the retried attempt' });
    await waitFor(async () => (await api.request('GET', `/v1/deliveries/${dropped.id}`)).body.status === 'succeeded', { what: 'the retried delivery to succeed' });
  });
});
