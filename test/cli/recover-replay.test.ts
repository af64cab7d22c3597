import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// `hookd endpoints recover` and `hookd events replay`: long work with a progress bar (a plain
// line here, where stderr is not a terminal), watching the deliveries reach their outcomes.

describe('hookd endpoints recover and hookd events replay', () => {
  let server: TestServer;
  let receiver: Receiver;
  let env: Record<string, string>;
  let outage = true;

  beforeAll(async () => {
    // Lanes wide enough that 40 deliveries to one endpoint go at once rather than in two rounds.
    server = await startServer({ HOOKD_ENDPOINT_CONCURRENCY: '64' });
    receiver = await startReceiver();
    await createEventTypes(server, 'order.created', 'order.shipped');
    env = { HOOKD_URL: server.url, HOOKD_KEY: server.adminKey };
    receiver.script('/orders', () => (outage ? { status: 503 } : { status: 200 }));
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  async function deliveriesOf(endpointId: string, status: string): Promise<number> {
    return (await server.request('GET', `/v1/deliveries?endpointId=${endpointId}&status=${status}&limit=250`)).body.data.length;
  }

  it('recovers the failed deliveries of an endpoint after an outage and shows their outcomes', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/orders`, eventTypes: ['order.created'], retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 1 } });
    const events = Array.from({ length: 40 }, (_, i) => ({ type: 'order.created', payload: { orderId: `o-${i}` } }));
    expect((await server.request('POST', '/v1/events/batch', { events })).status).toBe(202);
    await waitFor(async () => (await deliveriesOf(endpoint.id, 'failed')) === 40);

    outage = false;
    const recovered = await runCli(['endpoints', 'recover', endpoint.id, '--since', '10m'], env);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(new RegExp(`^recovered 40 failed deliveries of ${endpoint.id} since \\S+: 40 succeeded\\n$`));
    expect(recovered.stderr).toMatch(/^deliveries attempted: 40\/40 in [\d.]+ s \(40 succeeded\)$/m);
    expect(await deliveriesOf(endpoint.id, 'succeeded')).toBe(40);

    const nothingLeft = await runCli(['endpoints', 'recover', endpoint.id, '--since', '10m'], env);
    expect(nothingLeft.stdout).toMatch(/^recovered 0 failed deliveries/);
    expect(nothingLeft.stderr).toBe('');
  });

  it('replays the events chosen by type and time as new deliveries, with progress', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/shipping`, eventTypes: ['order.shipped'] });
    const events = Array.from({ length: 25 }, (_, i) => ({ type: 'order.shipped', payload: { orderId: `s-${i}` } }));
    await server.request('POST', '/v1/events/batch', { events });
    await waitFor(() => receiver.requestsTo('/shipping').length === 25);

    const replayed = await runCli(['events', 'replay', '--since', '10m', '--type', 'order.shipped'], env);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toBe('replayed 25 events as 25 new deliveries: 25 succeeded\n');
    expect(replayed.stderr).toMatch(/^replaying events: 25\/25 in [\d.]+ s \(25 new deliveries\)$/m);
    expect(replayed.stderr).toMatch(/^deliveries attempted: 25\/25 in [\d.]+ s \(25 succeeded\)$/m);
    const requests = receiver.requestsTo('/shipping');
    expect(requests).toHaveLength(50);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(50);
    expect(await deliveriesOf(endpoint.id, 'succeeded')).toBe(50);
  });

  it('replays named events to chosen endpoints without waiting, and refuses to replay everything unasked', async () => {
    const first = await createEndpoint(server, { url: `${receiver.url}/first`, eventTypes: ['order.created'] });
    await createEndpoint(server, { url: `${receiver.url}/second`, eventTypes: ['order.created'] });
    const { body } = await server.request('POST', '/v1/events', { type: 'order.created', payload: { orderId: 'named' } });
    await waitFor(() => receiver.requestsTo('/first').length === 1 && receiver.requestsTo('/second').length === 1);

    const replayed = await runCli(['events', 'replay', body.id, '--endpoint', first.id, '--no-wait'], env);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toBe('replayed 1 events as 1 new deliveries\n');
    expect(replayed.stderr).not.toContain('deliveries attempted');
    await waitFor(() => receiver.requestsTo('/first').length === 2);
    expect(receiver.requestsTo('/second')).toHaveLength(1);

    const unasked = await runCli(['events', 'replay'], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('name the events to replay, or choose them with --since');
  });
});
