import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('endpoints', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'call.started', 'call.ended');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('stores every field of the contract and fills the defaults', async () => {
    const created = await createEndpoint(server, { url: `${receiver.url}/defaults` });
    expect(created).toMatchObject({
      accountId: null,
      url: `${receiver.url}/defaults`,
      title: '',
      description: '',
      eventTypes: [],
      active: true,
      method: 'POST',
      headers: {},
      queryParams: {},
      body: { format: 'standard' },
      retry: { enabled: true, schedule: 'exponential', dropOn4xx: false, jitter: true },
      timeoutMs: 15000,
      rateLimitPerSecond: null,
      filter: null,
      disabledReason: null,
    });
    expect(created.id).toMatch(/^ep_/);
    expect(created.secret).toMatch(/^whsec_/);

    const full = {
      accountId: 'acme',
      url: `${receiver.url}/full`,
      title: 'CRM sync',
      description: 'all calls',
      eventTypes: ['call.*'],
      method: 'GET',
      headers: { 'X-Api-Key': 'abc' },
      queryParams: { src: 'hookd', call: '{{data.callId}}' },
      body: { format: 'json', fields: ['callId', 'from'], userParams: { crm: 'x1' } },
      retry: { schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true },
      timeoutMs: 5000,
      rateLimitPerSecond: 10,
      filter: { path: 'status', in: ['failed'] },
    };
    const stored = await createEndpoint(server, full);
    const fetched = (await server.request('GET', `/v1/endpoints/${stored.id}`)).body;
    expect(fetched).toMatchObject({ ...full, retry: { enabled: true, jitter: false, ...full.retry } });
    expect(fetched.secret).toBeUndefined();
  });

  it('patches only the given fields; active:false records a manual disable, active:true clears it', async () => {
    const created = await createEndpoint(server, { url: `${receiver.url}/patch`, title: 'before', eventTypes: ['call.started'] });
    const patched = await server.request('PATCH', `/v1/endpoints/${created.id}`, { title: 'after', active: false });
    expect(patched.body).toMatchObject({ title: 'after', eventTypes: ['call.started'], active: false, disabledReason: 'manual' });
    const again = await server.request('PATCH', `/v1/endpoints/${created.id}`, { active: true, retry: { dropOn4xx: true } });
    expect(again.body).toMatchObject({ active: true, disabledReason: null, retry: { schedule: 'exponential', dropOn4xx: true } });
  });

  it('retry.jitter defaults by schedule, is kept while the schedule stays, and follows a changed one', async () => {
    const created = await createEndpoint(server, { url: `${receiver.url}/jitter`, retry: { schedule: 'fixed', intervalSeconds: 300 } });
    expect(created.retry).toMatchObject({ schedule: 'fixed', jitter: false });
    const on = await server.request('PATCH', `/v1/endpoints/${created.id}`, { retry: { jitter: true } });
    expect(on.body.retry).toMatchObject({ schedule: 'fixed', intervalSeconds: 300, jitter: true });
    const kept = await server.request('PATCH', `/v1/endpoints/${created.id}`, { retry: { intervalSeconds: 60 } });
    expect(kept.body.retry).toMatchObject({ schedule: 'fixed', intervalSeconds: 60, jitter: true });
    const exponential = await server.request('PATCH', `/v1/endpoints/${created.id}`, { retry: { schedule: 'exponential' } });
    expect(exponential.body.retry).toEqual({ enabled: true, schedule: 'exponential', dropOn4xx: false, jitter: true });
    const custom = await server.request('PATCH', `/v1/endpoints/${created.id}`, { retry: { schedule: 'custom', delaysSeconds: [5, 60] } });
    expect(custom.body.retry).toMatchObject({ schedule: 'custom', jitter: false });
    const refused = await server.request('PATCH', `/v1/endpoints/${created.id}`, { retry: { jitter: 'yes' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('/retry/jitter');
  });

  it.each([
    ['a missing url', {}, '/url', 400],
    ['a url that is not http', { url: 'ftp://example.com/' }, '/url', 400],
    ['a url that does not parse', { url: 'not a url' }, '/url', 400],
    ['an unknown field', { url: 'https://example.com/', eventType: 'call.started' }, '/eventType', 400],
    ['a bad method', { url: 'https://example.com/', method: 'DELETE' }, '/method', 400],
    ['a timeout under 1 s', { url: 'https://example.com/', timeoutMs: 999 }, '/timeoutMs', 400],
    ['a timeout over 60 s', { url: 'https://example.com/', timeoutMs: 60001 }, '/timeoutMs', 400],
    ['a custom schedule without delays', { url: 'https://example.com/', retry: { schedule: 'custom' } }, '/retry/delaysSeconds', 400],
    ['a type not in the catalog', { url: 'https://example.com/', eventTypes: ['call.started', 'nope'] }, '/eventTypes/1', 400],
    ['a malformed pattern', { url: 'https://example.com/', eventTypes: ['call.*.x'] }, '/eventTypes/0', 400],
    ['a header with CR/LF', { url: 'https://example.com/', headers: { 'X-A': 'a\r\nX-Injected: 1' } }, '/headers/X-A', 400],
    ['a header name with CR/LF', { url: 'https://example.com/', headers: { 'X-A\r\nEvil': 'v' } }, '/headers/X-A\r\nEvil', 400],
    ['a header name with a space (and a CR/LF value)', { url: 'https://example.com/', headers: { 'Bad Name': 'a\r\nb' } }, '/headers/Bad Name', 400],
    ['a header overriding webhook-id', { url: 'https://example.com/', headers: { 'Webhook-Id': 'x' } }, '/headers/Webhook-Id', 400],
    ['a header overriding host', { url: 'https://example.com/', headers: { Host: 'x' } }, '/headers/Host', 400],
    ['a bad client secret', { url: 'https://example.com/', secret: 'hunter2' }, '/secret', 400],
    ['a text body without template', { url: 'https://example.com/', body: { format: 'text' } }, '/body/template', 400],
  ])('answers %s with a 4xx naming the field', async (_what, body, field, status) => {
    const response = await server.request('POST', '/v1/endpoints', body);
    expect(response.status).toBe(status);
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses a literal private address with 422 url_not_allowed when the guard is on', async () => {
    const guarded = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' });
    try {
      for (const url of ['http://127.0.0.1/hook', 'http://10.0.0.8/hook', 'http://169.254.169.254/latest', 'http://localhost/x']) {
        const response = await guarded.request('POST', '/v1/endpoints', { url });
        expect(response.status, url).toBe(422);
        expect(response.body.error.code).toBe('url_not_allowed');
        expect(response.body.error.details[0].field).toBe('/url');
      }
      // A name is not resolved on save.
      expect((await guarded.request('POST', '/v1/endpoints', { url: 'https://hooks.example.com/in' })).status).toBe(201);
    } finally {
      await guarded.close();
    }
  });

  it('lists with filters and cursors, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createEndpoint(server, { url: `${receiver.url}/list`, accountId: 'lister', eventTypes: ['call.ended'] })).id);
    const page1 = await server.request('GET', '/v1/endpoints?accountId=lister&limit=2');
    expect(page1.body.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const page2 = await server.request('GET', `/v1/endpoints?accountId=lister&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const byType = await server.request('GET', '/v1/endpoints?eventType=call.ended&accountId=lister');
    expect(byType.body.data).toHaveLength(3);
    expect((await server.request('GET', '/v1/endpoints?eventType=call.started&accountId=lister')).body.data).toHaveLength(0);
  });

  it('deleting an endpoint cancels its pending deliveries', async () => {
    receiver.script('/deleted', [{ status: 500 }]);
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/deleted`,
      eventTypes: ['call.started'],
      retry: { schedule: 'custom', delaysSeconds: [3600] },
    });
    const { id } = await postEvent(server, { type: 'call.started', payload: {} });
    const delivery = await waitFor(async () => {
      const [d] = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&eventId=${id}`)).body.data;
      return d?.status === 'pending' && d.attempts === 1 ? d : null;
    });
    expect((await server.request('DELETE', `/v1/endpoints/${endpoint.id}`)).status).toBe(204);
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}`)).status).toBe(404);
    expect((await server.request('GET', `/v1/deliveries/${delivery.id}`)).body.status).toBe('canceled');
  });

  it('rotating the secret signs with both secrets during the grace period, new first', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/rotate`, eventTypes: ['call.ended'] });
    const rotated = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, { graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.secret).toBe(rotated.body.secret);

    await postEvent(server, { type: 'call.ended', payload: { n: 1 } });
    const request = await waitFor(() => receiver.requestsTo('/rotate')[0]);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.body.secret).verify(request.body, headers)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(request.body, headers)).not.toThrow();
  });

  it('sends PUT and PATCH requests with the body, signed with a secret the client chose', async () => {
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    for (const method of ['PUT', 'PATCH'] as const) {
      const path = `/method-${method.toLowerCase()}`;
      const endpoint = await createEndpoint(server, { url: `${receiver.url}${path}`, eventTypes: ['call.ended'], method, secret, body: { format: 'raw' } });
      expect(endpoint.secret).toBe(secret);
    }
    await postEvent(server, { type: 'call.ended', payload: { callId: 'm-1' } });
    for (const method of ['PUT', 'PATCH'] as const) {
      const request = await waitFor(() => receiver.requestsTo(`/method-${method.toLowerCase()}`)[0], { what: `the ${method} request` });
      expect(request.method).toBe(method);
      expect(request.body).toBe('{"callId":"m-1"}');
      expect(
        new Webhook(secret).verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ).toEqual({ callId: 'm-1' });
    }
  });

  it('lists active or inactive endpoints only when asked', async () => {
    const on = await createEndpoint(server, { url: `${receiver.url}/on`, accountId: 'actives' });
    const off = await createEndpoint(server, { url: `${receiver.url}/off`, accountId: 'actives', active: false });
    const ids = async (query: string) => (await server.request('GET', `/v1/endpoints?accountId=actives${query}`)).body.data.map((e: { id: string }) => e.id);
    expect(await ids('&active=true')).toEqual([on.id]);
    expect(await ids('&active=false')).toEqual([off.id]);
    expect((await ids('')).sort()).toEqual([on.id, off.id].sort());
  });

  it('rotating with no grace period signs with the new secret only', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/rotate-now`, eventTypes: ['call.started'] });
    const rotated = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, { graceSeconds: 0 });
    expect(rotated.body.previousSecretExpiresAt).toBeNull();
    await postEvent(server, { type: 'call.started', payload: { n: 2 } });
    const request = await waitFor(() => receiver.requestsTo('/rotate-now')[0]);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(rotated.body.secret).verify(request.body, headers)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(request.body, headers)).toThrow();
  });

  it('refuses on save the headers the HTTP client would refuse or hookd must control, naming each', async () => {
    const refused: Array<[string, string]> = [
      ['Content-Type', 'text/plain'],
      ['Expect', '100-continue'],
      ['Host', 'evil.example'],
      ['webhook-id', 'x'],
      ['X Bad', 'v'],
      ['X-Bell', 'a\u0007b'],
    ];
    for (const [name, value] of refused) {
      const response = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/h`, headers: { [name]: value } });
      expect(response.status, name).toBe(400);
      expect(response.body.error.details.map((d: { field: string }) => d.field), name).toContain(`/headers/${name}`);
    }
    const patched = await createEndpoint(server, { url: `${receiver.url}/h` });
    expect((await server.request('PATCH', `/v1/endpoints/${patched.id}`, { headers: { Expect: '100-continue' } })).status).toBe(400);
  });

  it('stores a client secret without base64 padding padded, as every Standard Webhooks library reads it', async () => {
    // 32 bytes are 44 base64 characters with one '='; the client left it out.
    const unpadded = 'whsec_' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const created = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/h`, secret: unpadded });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(unpadded + '=');
    expect((await server.request('GET', `/v1/endpoints/${created.body.id}/secret`)).body.secret).toBe(unpadded + '=');
  });
});
