import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('endpoint operations and replay', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await server.request('POST', '/v1/event-types', { name: 'inbound_fax', examples: [{ faxId: 1, accountId: 'acme' }] });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('sends a test delivery now and returns its attempt', async () => {
    receiver.script('/tested', [{ status: 202, body: 'got it' }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/tested`, eventTypes: ['inbound_fax'] });
    const response = await server.request('POST', `/v1/endpoints/${endpoint.id}/test`, {});
    expect(response.status).toBe(200);
    expect(response.body.attempt).toMatchObject({ statusCode: 202, responseBody: 'got it', error: null });
    expect(response.body.delivery).toMatchObject({ status: 'succeeded', endpointId: endpoint.id, eventType: 'inbound_fax' });
    // Without a payload, the type's first example is sent.
    expect(JSON.parse(receiver.requestsTo('/tested')[0]!.body).data).toEqual({ faxId: 1, accountId: 'acme' });
  });

  it('a failing test is reported, not retried', async () => {
    receiver.script('/test-fails', [{ status: 500, body: 'nope' }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/test-fails`, eventTypes: ['inbound_fax'] });
    const response = await server.request('POST', `/v1/endpoints/${endpoint.id}/test`, { payload: { custom: true } });
    expect(response.body.attempt).toMatchObject({ statusCode: 500, responseBody: 'nope' });
    expect(response.body.delivery.status).toBe('failed');
    expect(JSON.parse(receiver.requestsTo('/test-fails')[0]!.body).data).toEqual({ custom: true });
  });

  it('recovers failed deliveries since a time, once each', async () => {
    receiver.script('/outage', (_request, index) => (index < 3 ? { status: 503 } : { status: 200 }));
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/outage`, eventTypes: ['inbound_fax'], retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 1 } });
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await postEvent(server, { type: 'inbound_fax', payload: { i } });
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&status=failed`)).body.data.length === 3);
    const recovered = await server.request('POST', `/v1/endpoints/${endpoint.id}/recover`, { since });
    expect(recovered).toMatchObject({ status: 202, body: { requeued: 3 } });
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&status=succeeded`)).body.data.length === 3);
    expect(receiver.requestsTo('/outage')).toHaveLength(6);
  });

  it('reports attempts by outcome and latency percentiles', async () => {
    receiver.script('/measured', (_request, index) => (index % 2 === 0 ? { status: 200 } : { status: 500 }));
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/measured`, eventTypes: ['inbound_fax'], retry: { enabled: false } });
    for (let i = 0; i < 4; i++) await postEvent(server, { type: 'inbound_fax', payload: { i } });
    const stats = await waitFor(async () => {
      const body = (await server.request('GET', `/v1/endpoints/${endpoint.id}/stats`)).body;
      return body.lastHour.attempts.total === 4 ? body : null;
    });
    expect(stats.lastHour.attempts).toEqual({ total: 4, succeeded: 2, failed: 2 });
    expect(stats.lastDay.attempts.total).toBe(4);
    expect(stats.lastHour.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.lastHour.latencyMs.p99).toBeGreaterThanOrEqual(stats.lastHour.latencyMs.p50);
  });

  it('replays an event as new deliveries with new webhook-ids', async () => {
    const first = await createEndpoint(server, { url: `${receiver.url}/replay-a`, eventTypes: ['inbound_fax'] });
    await createEndpoint(server, { url: `${receiver.url}/replay-b`, eventTypes: ['inbound_fax'] });
    const { id } = await postEvent(server, { type: 'inbound_fax', payload: { replay: 1 } });
    await waitFor(() => receiver.requestsTo('/replay-a').length === 1 && receiver.requestsTo('/replay-b').length === 1);

    const only = await server.request('POST', `/v1/events/${id}/replay`, { endpointIds: [first.id] });
    expect(only.status).toBe(202);
    expect(only.body.deliveries).toHaveLength(1);
    await waitFor(() => receiver.requestsTo('/replay-a').length === 2);
    const ids = receiver.requestsTo('/replay-a').map((r) => r.headers['webhook-id']);
    expect(ids[0]).not.toBe(ids[1]);
    expect(receiver.requestsTo('/replay-b')).toHaveLength(1);

    const unknown = await server.request('POST', `/v1/events/${id}/replay`, { endpointIds: ['ep_nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('/endpointIds/0');
  });
});
