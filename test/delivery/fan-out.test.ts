import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('fan-out and signed delivery', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'call.started', 'call.ended', 'sms.received');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('sends one event to every subscribed endpoint and to no other', async () => {
    const all = await createEndpoint(server, { url: `${receiver.url}/all`, eventTypes: ['*'] });
    const calls = await createEndpoint(server, { url: `${receiver.url}/calls`, eventTypes: ['call.*'] });
    const exact = await createEndpoint(server, { url: `${receiver.url}/exact`, eventTypes: ['call.started'] });
    await createEndpoint(server, { url: `${receiver.url}/sms`, eventTypes: ['sms.received'] });
    await createEndpoint(server, { url: `${receiver.url}/inactive`, eventTypes: ['*'], active: false });

    const accepted = await server.request('POST', '/v1/events', { type: 'call.started', payload: { callId: 42 } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ type: 'call.started', accountId: null, deliveries: 3 });
    expect(accepted.body.id).toMatch(/^evt_/);

    await waitFor(() => receiver.requests.length >= 3, { what: 'three deliveries' });
    const paths = receiver.requests.map((request) => request.path).sort();
    expect(paths).toEqual(['/all', '/calls', '/exact']);

    const event = await server.request('GET', `/v1/events/${accepted.body.id}`);
    expect(event.body.payload).toEqual({ callId: 42 });
    await waitFor(async () => {
      const deliveries = (await server.request('GET', `/v1/deliveries?eventId=${accepted.body.id}`)).body.data;
      return deliveries.length === 3 && deliveries.every((d: { status: string }) => d.status === 'succeeded');
    }, { what: 'deliveries to be recorded as succeeded' });
    const endpointIds = (await server.request('GET', `/v1/deliveries?eventId=${accepted.body.id}`)).body.data
      .map((d: { endpointId: string }) => d.endpointId)
      .sort();
    expect(endpointIds).toEqual([all.id, calls.id, exact.id].sort());
  });

  it('signs every request so that the standardwebhooks and svix verifiers accept it', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/signed`, eventTypes: ['sms.received'] });
    const { id } = await postEvent(server, {
      type: 'sms.received',
      payload: { from: '+33100000000', text: 'héllo' },
      correlationId: 'corr-1',
      occurredAt: '2026-11-22T10:07:00.000Z',
    });
    const request = await waitFor(() => receiver.requestsTo('/signed')[0], { what: 'the signed request' });

    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^hookd\/\d+\.\d+\.\d+/);
    expect(request.headers['webhook-event-type']).toBe('sms.received');
    expect(request.headers['webhook-correlation-id']).toBe('corr-1');
    expect(request.headers['webhook-id']).toMatch(/^msg_/);
    const expected = { type: 'sms.received', timestamp: '2026-11-22T10:07:00.000Z', data: { from: '+33100000000', text: 'héllo' } };
    expect(JSON.parse(request.body)).toEqual(expected);

    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(new StandardWebhook(endpoint.secret).verify(request.body, headers)).toEqual(expected);
    expect(new SvixWebhook(endpoint.secret).verify(request.body, headers)).toEqual(expected);
    // A verifier with another secret must refuse it: the signature really depends on the secret.
    const other = (await createEndpoint(server, { url: `${receiver.url}/other`, eventTypes: ['call.ended'] })).secret;
    expect(() => new StandardWebhook(other).verify(request.body, headers)).toThrow();

    const event = (await server.request('GET', `/v1/events/${id}`)).body;
    expect(event.deliveries[0].id.replace('dlv_', 'msg_')).toBe(headers['webhook-id']);
  });

  it('records each attempt with its request line, headers and body, with the receiver\'s credentials redacted', async () => {
    await createEndpoint(server, {
      url: `${receiver.url}/with-key`,
      eventTypes: ['call.ended'],
      headers: { 'X-Api-Key': 'receiver-credential', 'X-Tenant': 'acme' },
      queryParams: { api_key: 'receiver-credential-in-query', src: 'hookd' },
    });
    const { id } = await postEvent(server, { type: 'call.ended', payload: { callId: 7 } });
    const request = await waitFor(() => receiver.requestsTo('/with-key')[0], { what: 'the request' });
    expect(request.headers['x-api-key']).toBe('receiver-credential');

    const delivery = await waitFor(async () => {
      const [d] = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data;
      return d?.status === 'succeeded' ? d : null;
    });
    const attempts = (await server.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok' });
    expect(attempts[0].requestHeaders['x-api-key']).toBe('[redacted]');
    expect(attempts[0].requestHeaders['x-tenant']).toBe('acme');
    expect(request.url).toBe('/with-key?api_key=receiver-credential-in-query&src=hookd');
    expect(attempts[0]).toMatchObject({
      requestMethod: 'POST',
      requestUrl: `${receiver.url}/with-key?api_key=%5Bredacted%5D&src=hookd`,
      requestBody: request.body,
    });
    expect(JSON.parse(attempts[0].requestBody).data).toEqual({ callId: 7 });
    expect(JSON.stringify(attempts)).not.toContain('receiver-credential');
  });

  it('applies an endpoint\'s payload filter, written as a payload path or as in the contract (data.…)', async () => {
    await createEndpoint(server, {
      url: `${receiver.url}/only-failed`,
      eventTypes: ['sms.received'],
      filter: { path: 'delivery.status', in: ['failed', 'busy'] },
    });
    const kept = await postEvent(server, { type: 'sms.received', payload: { n: 1, delivery: { status: 'failed' } } });
    const skipped = await postEvent(server, { type: 'sms.received', payload: { n: 2, delivery: { status: 'ok' } } });
    const missing = await postEvent(server, { type: 'sms.received', payload: { n: 3 } });
    await createEndpoint(server, {
      url: `${receiver.url}/contract-filter`,
      eventTypes: ['sms.received'],
      filter: { path: 'data.delivery.status', in: ['failed'] },
    });
    const keptToo = await postEvent(server, { type: 'sms.received', payload: { n: 4, delivery: { status: 'failed' } } });
    const skippedToo = await postEvent(server, { type: 'sms.received', payload: { n: 5, delivery: { status: 'ok' } } });
    await waitFor(() => receiver.requestsTo('/only-failed').length === 2 && receiver.requestsTo('/contract-filter').length === 1);
    const numbersAt = (path: string) => receiver.requestsTo(path).map((r) => JSON.parse(r.body).data.n as number).sort();
    expect(numbersAt('/only-failed')).toEqual([1, 4]);
    expect(numbersAt('/contract-filter')).toEqual([4]);
    // The filtered endpoint is simply not among the event's deliveries.
    const filteredCount = async (id: string, path = '/only-failed') =>
      (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data.filter((d: { url: string }) => d.url.endsWith(path)).length;
    expect(await filteredCount(kept.id)).toBe(1);
    expect(await filteredCount(skipped.id)).toBe(0);
    expect(await filteredCount(missing.id)).toBe(0);
    expect(await filteredCount(keptToo.id, '/contract-filter')).toBe(1);
    expect(await filteredCount(skippedToo.id, '/contract-filter')).toBe(0);
  });

  it('keeps a filter\'s numbers, booleans and null as they were written (regression: 100 was stored as "100")', async () => {
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/typed-filter`,
      eventTypes: ['sms.received'],
      filter: { path: 'code', in: [100, true, null, '7'] },
    });
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.filter).toEqual({ path: 'code', in: [100, true, null, '7'] });
    for (const code of [100, '100', true, 7, '7']) await postEvent(server, { type: 'sms.received', payload: { n: 10, code } });
    // Routing happens at ingest: exactly the three matching events have a delivery.
    expect((await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body.data).toHaveLength(3);
    await waitFor(() => receiver.requestsTo('/typed-filter').length === 3);
    expect(receiver.requestsTo('/typed-filter').map((r) => JSON.parse(r.body).data.code).sort()).toEqual([100, '7', true].sort());
  });
});
