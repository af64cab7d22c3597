import { Webhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Seed 002 (KOMPaaS): per-webhook title, URL, "retry if error", GET or POST, JSON (chosen
// available parameters + user parameters) or free Text, query parameters and HTTP headers.

const CALL_SCHEMA = {
  type: 'object',
  properties: {
    callId: { type: 'string', description: 'the call' },
    from: { type: 'string', description: 'caller number' },
    to: { type: 'string', description: 'called number' },
    pbx: { type: 'object', properties: { extension: { type: 'integer' } } },
  },
};

describe('seed 002: KOMPaaS', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    const created = await server.request('POST', '/v1/event-types', { name: 'call.incoming', category: 'telephony', schema: CALL_SCHEMA });
    expect(created.body.parameters.map((p: { path: string }) => p.path)).toEqual(['callId', 'from', 'to', 'pbx.extension']);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const call = { callId: 'c-42', from: '+7 900 000-00-00', to: '100', pbx: { extension: 7 } };

  it('sends a GET with templated query parameters, the chosen fields in the query, and a signature over the target', async () => {
    const endpoint = await createEndpoint(server, {
      title: 'CRM lookup',
      url: `${receiver.url}/crm`,
      method: 'GET',
      eventTypes: ['call.incoming'],
      queryParams: { src: 'hookd', call: '{{data.callId}}', type: '{{event.type}}' },
      body: { format: 'json', fields: ['from', 'pbx.extension:ext'] },
    });
    await postEvent(server, { type: 'call.incoming', payload: call });
    const request = await waitFor(() => receiver.requestsTo('/crm')[0]);
    expect(request.method).toBe('GET');
    expect(request.body).toBe('');
    const query = new URL(request.url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ src: 'hookd', call: 'c-42', type: 'call.incoming', from: '+7 900 000-00-00', ext: '7' });
    // The signed content of a GET is its request target.
    const id = String(request.headers['webhook-id']);
    const timestamp = String(request.headers['webhook-timestamp']);
    const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.url}`).digest('base64');
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('sends a POST Text body from a free template with its own content type', async () => {
    await createEndpoint(server, {
      title: 'SMS gateway',
      url: `${receiver.url}/text`,
      eventTypes: ['call.incoming'],
      body: { format: 'text', template: 'Call {{data.callId}} from {{data.from}} to {{ data.to }}: {{data.pbx | json}}', contentType: 'text/plain; charset=utf-8' },
    });
    await postEvent(server, { type: 'call.incoming', payload: call });
    const request = await waitFor(() => receiver.requestsTo('/text')[0]);
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request.body).toBe('Call c-42 from +7 900 000-00-00 to 100: {"extension":7}');
  });

  it('sends a JSON body of the chosen available parameters plus user parameters, with custom headers, verifiable', async () => {
    const endpoint = await createEndpoint(server, {
      title: 'Analytics',
      url: `${receiver.url}/json`,
      eventTypes: ['call.incoming'],
      headers: { 'X-Crm-Token': 'crm-secret', 'X-Call': '{{data.callId}}' },
      body: { format: 'json', fields: ['callId', 'from'], userParams: { crm: 'x1', source: '{{event.type}}' } },
    });
    await postEvent(server, { type: 'call.incoming', payload: call });
    const request = await waitFor(() => receiver.requestsTo('/json')[0]);
    expect(JSON.parse(request.body)).toEqual({ callId: 'c-42', from: '+7 900 000-00-00', crm: 'x1', source: 'call.incoming' });
    expect(request.headers['x-crm-token']).toBe('crm-secret');
    expect(request.headers['x-call']).toBe('c-42');
    expect(() =>
      new Webhook(endpoint.secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }),
    ).not.toThrow();
  });

  it('makes one attempt only when "retry if error" is off', async () => {
    receiver.script('/no-retry', [{ status: 500 }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/no-retry`, eventTypes: ['call.incoming'], retry: { enabled: false } });
    const { id } = await postEvent(server, { type: 'call.incoming', payload: call });
    await waitFor(async () => {
      const [d] = (await server.request('GET', `/v1/deliveries?eventId=${id}&endpointId=${endpoint.id}`)).body.data;
      return d?.status === 'dropped' && d.attempts === 1;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requestsTo('/no-retry')).toHaveLength(1);
  });

  it('previews with an event type alone, filling the payload from its first example', async () => {
    const created = await server.request('POST', '/v1/event-types', {
      name: 'call.missed',
      examples: [{ callId: 'c-first', from: '+1 555' }, { callId: 'c-second', from: '+1 556' }],
    });
    expect(created.status).toBe(201);
    const preview = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: { url: `${receiver.url}/preview`, method: 'GET', eventTypes: ['call.missed'], body: { format: 'json', fields: ['callId'] } },
      eventType: 'call.missed',
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ method: 'GET', url: `${receiver.url}/preview?callId=c-first` });
    expect(preview.body.headers['webhook-event-type']).toBe('call.missed');
  });

  it('previews the exact request of a definition before it is saved', async () => {
    const preview = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: {
        url: `${receiver.url}/preview`,
        method: 'POST',
        eventTypes: ['call.incoming'],
        queryParams: { call: '{{data.callId}}' },
        headers: { 'X-From': '{{data.from}}' },
        body: { format: 'text', template: 'Call {{data.callId}}' },
      },
      payload: call,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      method: 'POST',
      url: `${receiver.url}/preview?call=c-42`,
      body: 'Call c-42',
      headers: { 'x-from': '+7 900 000-00-00', 'content-type': 'text/plain', 'webhook-event-type': 'call.incoming' },
    });
    expect(preview.body.headers['webhook-signature']).toMatch(/^v1,/);
    expect(receiver.requestsTo('/preview')).toHaveLength(0);

    const broken = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: { url: `${receiver.url}/preview`, body: { format: 'text', template: 'Call {{data.callId' } },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details[0].field).toBe('/endpoint/body/template');

    // A payload that renders past the output cap is the payload's problem, not a server error.
    const huge = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: { url: `${receiver.url}/preview`, body: { format: 'text', template: '{{data.a}}{{data.a}}{{data.a}}' } },
      payload: { a: 'x'.repeat(30_000) },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error.details[0].field).toBe('/payload');
  });

  it.each([
    ['an unclosed template in a header', { headers: { 'X-A': '{{data.callId' } }, '/headers/X-A'],
    ['an unknown filter in a query parameter', { queryParams: { a: '{{data.callId | upper}}' } }, '/queryParams/a'],
    ['code in a text template', { body: { format: 'text', template: "{{ constructor.constructor('return process')() }}" } }, '/body/template'],
  ])('refuses %s on save, naming the field', async (_what, extra, field) => {
    const response = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/bad`, ...extra });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe(field);
  });
});
