import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, type ServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// HOOKD_ROLE on one PostgreSQL database: an api node stores what it is given and never delivers;
// a worker node delivers what the api node stored and runs the sweeps (here: operation timeouts).

const METRICS_TOKEN = 'roles-test-metrics-token-0123456789';

describe('api and worker nodes', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  const nodes: ServerProcess[] = [];

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
  });
  afterAll(async () => {
    for (const node of nodes) if (node.child.exitCode === null) await node.stop();
    await receiver?.close();
    await database?.drop();
  });

  async function metricsOf(node: ServerProcess): Promise<string> {
    const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    return response.text();
  }

  it('the api node only stores; the worker node delivers what it stored, and fires operation timeouts', async () => {
    const env = { HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: 'hk_admin_roles_test_0123456789', HOOKD_METRICS_TOKEN: METRICS_TOKEN };
    const api = await startServerProcess({ ...env, HOOKD_ROLE: 'api' });
    nodes.push(api);
    await api.request('POST', '/v1/event-types', { name: 'device.reboot' });
    await api.request('POST', '/v1/endpoints', { url: `${receiver.url}/roles`, eventTypes: ['device.reboot'] });
    const first = await api.request('POST', '/v1/events', { type: 'device.reboot', payload: { n: 1 } });
    expect(first.status).toBe(202);

    // The delivery waits, due, for as long as only the api node runs: 2 s by the queue's own clock.
    await waitFor(async () => /^hookd_oldest_due_delivery_age_seconds ([2-9]|\d\d)/m.test(await metricsOf(api)), {
      what: 'the delivery to have been due for 2 s',
    });
    expect(receiver.requestsTo('/roles')).toHaveLength(0);
    const apiMetrics = await metricsOf(api);
    expect(apiMetrics).toMatch(/^hookd_queue_depth\{state="due"\} 1$/m);
    expect(apiMetrics).toContain('role="api"');
    expect(apiMetrics).not.toMatch(/^hookd_worker_concurrency /m);

    const worker = await startServerProcess({ ...env, HOOKD_ROLE: 'worker' });
    nodes.push(worker);
    await waitFor(() => receiver.requestsTo('/roles').length === 1, { what: 'the worker node to deliver the stored event' });
    await waitFor(async () => (await api.request('GET', `/v1/deliveries?eventId=${first.body.id}`)).body.data[0]?.status === 'succeeded');

    // New work posted to the api node reaches the worker node (LISTEN/NOTIFY, or its poll).
    await api.request('POST', '/v1/events', { type: 'device.reboot', payload: { n: 2 } });
    await waitFor(() => receiver.requestsTo('/roles').length === 2, { what: 'the second event' });
    expect(receiver.requestsTo('/roles').map((request) => JSON.parse(request.body).data.n)).toEqual([1, 2]);

    // Sweeps run on the worker node: an operation opened on the api node times out there.
    const operation = await api.request('POST', '/v1/operations', { type: 'device.reboot', subject: 'RTR-1', callbackUrl: `${receiver.url}/roles-op`, timeoutSeconds: 1 });
    expect(operation.status).toBe(202);
    const [timedOut] = await waitFor(() => (receiver.requestsTo('/roles-op').length > 0 ? receiver.requestsTo('/roles-op') : null), {
      what: 'the timed_out webhook',
    });
    expect(JSON.parse(timedOut!.body).data).toMatchObject({ protocol: operation.body.protocol, status: 'timed_out' });
    expect(await metricsOf(worker)).toMatch(/^hookd_worker_concurrency 256$/m);
  }, 60_000);
});
