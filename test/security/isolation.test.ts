import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Every route tried with account A's key on resources of account B and of the provider level:
// 404 where the resource would be named (its existence is never revealed), 403 for routes an
// account key may not use at all, and nothing of B's or the provider's in any answer. A portal
// session of account A (a short-lived account key) is held to exactly the same.

describe('tenant isolation matrix', () => {
  let server: TestServer;
  let receiver: Receiver;
  let keyA: string;
  let sessionA: string;
  /** Each check runs with both kinds of credential account A's people hold. */
  const credentialsOfA = (): Array<[string, string]> => [
    ['account key', keyA],
    ['portal session', sessionA],
  ];
  const others: Record<string, string> = {};
  const foreignStrings: string[] = [];

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await server.request('POST', '/v1/event-types', { name: 'tick' });
    keyA = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'tenant-a', rateLimitPerSecond: null })).body.key;
    const keyB = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'tenant-b' })).body.key;
    sessionA = (await server.request('POST', '/v1/accounts/tenant-a/portal-sessions', { ttlSeconds: 3600 })).body.token;
    await createEndpoint(server, { url: `${receiver.url}/a`, eventTypes: ['tick'] }, keyA);
    const epB = await createEndpoint(server, { url: `${receiver.url}/b-private-path`, eventTypes: ['tick'] }, keyB);
    const epP = await createEndpoint(server, { url: `${receiver.url}/provider-path`, eventTypes: ['tick'] });
    await postEvent(server, { type: 'tick', payload: { who: 'a' }, accountId: 'tenant-a', id: 'evt-a' });
    await postEvent(server, { type: 'tick', payload: { who: 'b-secret-payload' }, accountId: 'tenant-b', id: 'evt-b' });
    await postEvent(server, { type: 'tick', payload: { who: 'provider-payload' }, id: 'evt-p' });
    await waitFor(() => receiver.requests.length >= 5);
    const deliveryB = (await server.request('GET', '/v1/deliveries?eventId=evt-b')).body.data.find((d: { endpointId: string }) => d.endpointId === epB.id);
    const deliveryP = (await server.request('GET', '/v1/deliveries?eventId=evt-a')).body.data.find((d: { endpointId: string }) => d.endpointId === epP.id);
    const opB = (await server.request('POST', '/v1/operations', { type: 'tick', accountId: 'tenant-b', subject: 'b-subject' })).body.protocol;
    const opP = (await server.request('POST', '/v1/operations', { type: 'tick', subject: 'provider-subject' })).body.protocol;
    Object.assign(others, { epB: epB.id, epP: epP.id, dB: deliveryB.id, dP: deliveryP.id, opB, opP });
    foreignStrings.push(epB.id, epP.id, epB.secret, epP.secret, deliveryB.id, deliveryP.id, opB, opP, 'b-private-path', 'provider-path', 'b-secret-payload', 'provider-payload', 'evt-b', 'evt-p', 'b-subject', 'provider-subject', keyB);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const routesOn = (o: Record<string, string>): Array<[method: string, path: string, body?: unknown]> => [
    ['GET', `/v1/endpoints/${o.epB}`],
    ['GET', `/v1/endpoints/${o.epP}`],
    ['PATCH', `/v1/endpoints/${o.epB}`, { title: 'x' }],
    ['PATCH', `/v1/endpoints/${o.epP}`, { title: 'x' }],
    ['DELETE', `/v1/endpoints/${o.epB}`],
    ['DELETE', `/v1/endpoints/${o.epP}`],
    ['GET', `/v1/endpoints/${o.epB}/secret`],
    ['GET', `/v1/endpoints/${o.epP}/secret`],
    ['POST', `/v1/endpoints/${o.epB}/secret/rotate`, {}],
    ['POST', `/v1/endpoints/${o.epP}/secret/rotate`, {}],
    ['POST', `/v1/endpoints/${o.epB}/test`, {}],
    ['POST', `/v1/endpoints/${o.epP}/test`, {}],
    ['POST', `/v1/endpoints/${o.epB}/recover`, { since: '2020-01-01T00:00:00.000Z' }],
    ['POST', `/v1/endpoints/${o.epP}/recover`, { since: '2020-01-01T00:00:00.000Z' }],
    ['GET', `/v1/endpoints/${o.epB}/stats`],
    ['GET', `/v1/endpoints/${o.epP}/stats`],
    ['GET', '/v1/events/evt-b'],
    ['GET', '/v1/events/evt-p'],
    ['POST', '/v1/events/evt-b/replay', {}],
    ['POST', '/v1/events/evt-p/replay', {}],
    ['GET', `/v1/deliveries/${o.dB}`],
    ['GET', `/v1/deliveries/${o.dP}`],
    ['GET', `/v1/deliveries/${o.dB}/attempts`],
    ['GET', `/v1/deliveries/${o.dP}/attempts`],
    ['POST', `/v1/deliveries/${o.dB}/retry`],
    ['POST', `/v1/deliveries/${o.dP}/retry`],
    ['DELETE', `/v1/deliveries/${o.dB}`],
    ['DELETE', `/v1/deliveries/${o.dP}`],
    ['GET', `/v1/operations/${o.opB}`],
    ['GET', `/v1/operations/${o.opP}`],
    ['GET', '/v1/accounts/tenant-b/callback-secret'],
  ];

  it('answers 404 for every route naming another tenant\'s or the provider\'s resource, leaking nothing', async () => {
    for (const [who, key] of credentialsOfA()) {
      for (const [method, path, body] of routesOn(others)) {
        const response = await server.request(method, path, body, key);
        expect(response.status, `${who}: ${method} ${path}`).toBe(404);
        const text = JSON.stringify(response.body);
        for (const foreign of foreignStrings) expect(text, `${who}: ${method} ${path}`).not.toContain(foreign);
      }
    }
    // Nothing was changed by those attempts.
    expect((await server.request('GET', `/v1/endpoints/${others.epB}`)).body.title).toBe('');
  });

  it('refuses foreign ids in request bodies: replaying its own event to another\'s endpoint, moving its endpoint away', async () => {
    const own = await createEndpoint(server, { url: `${receiver.url}/a-own`, eventTypes: ['tick'] }, keyA);
    await postEvent(server, { type: 'tick', payload: { mine: true }, accountId: 'tenant-a', id: 'evt-a-own' });
    for (const [who, key] of credentialsOfA()) {
      for (const foreign of [others.epB!, others.epP!]) {
        const replay = await server.request('POST', '/v1/events/evt-a-own/replay', { endpointIds: [foreign] }, key);
        expect(replay.status, `${who}: replay to ${foreign}`).toBe(400);
        expect(replay.body.error.details[0].field).toBe('/endpointIds/0');
      }
      for (const accountId of ['tenant-b', null]) {
        const moved = await server.request('PATCH', `/v1/endpoints/${own.id}`, { accountId }, key);
        expect(moved.status, `${who}: move to ${accountId}`).toBe(403);
      }
    }
    const after = (await server.request('GET', `/v1/endpoints/${own.id}`)).body;
    expect(after.accountId).toBe('tenant-a');
    const deliveries = (await server.request('GET', '/v1/deliveries?eventId=evt-a-own')).body.data as Array<{ endpointId: string }>;
    expect(deliveries.map((d) => d.endpointId)).not.toContain(others.epB);
    // The provider-level endpoint hears every account: its one delivery is the fan-out, no replay.
    expect(deliveries.filter((d) => d.endpointId === others.epP)).toHaveLength(1);
  });

  it('answers 403 for routes an account key may not use', async () => {
    const forbidden: Array<[string, string, unknown?]> = [
      ['POST', '/v1/events', { type: 'tick', payload: {} }],
      ['POST', '/v1/events/batch', { events: [{ type: 'tick', payload: {} }] }],
      ['POST', '/v1/operations', { type: 'tick' }],
      ['POST', `/v1/operations/${others.opB}/complete`, { status: 'succeeded' }],
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys', { kind: 'admin' }],
      ['DELETE', '/v1/keys/key_x'],
      ['GET', '/v1/accounts'],
      ['GET', '/v1/accounts/tenant-b'],
      ['PUT', '/v1/accounts/tenant-a', { enabled: true }],
      ['POST', '/v1/event-types', { name: 'y' }],
      ['PUT', '/v1/event-types/tick', {}],
      ['DELETE', '/v1/event-types/tick'],
      ['GET', '/v1/callback-secret'],
      ['GET', '/metrics'],
      ['POST', '/v1/endpoints', { url: 'https://example.com/', accountId: 'tenant-b' }],
      ['POST', '/v1/endpoints/preview', { endpoint: { url: 'https://example.com/', accountId: 'tenant-b' } }],
      ['POST', '/v1/accounts/tenant-a/portal-sessions', {}],
      ['POST', '/v1/accounts/tenant-b/portal-sessions', {}],
    ];
    for (const [who, key] of credentialsOfA()) {
      for (const [method, path, body] of forbidden) {
        const response = await server.request(method, path, body, key);
        expect(response.status, `${who}: ${method} ${path}`).toBe(403);
        for (const foreign of foreignStrings) expect(JSON.stringify(response.body)).not.toContain(foreign);
      }
    }
  });

  it('lists only the tenant\'s own resources, whatever the filters say', async () => {
    for (const path of [
      '/v1/endpoints',
      '/v1/endpoints?accountId=tenant-b',
      '/v1/endpoints?eventType=tick',
      '/v1/events',
      '/v1/events?accountId=tenant-b',
      '/v1/events?type=tick',
      '/v1/deliveries',
      `/v1/deliveries?endpointId=${others.epB}`,
      '/v1/deliveries?eventId=evt-b',
      '/v1/operations',
      '/v1/operations?accountId=tenant-b',
      '/v1/event-types',
    ]) {
      for (const [who, key] of credentialsOfA()) {
        const response = await server.request('GET', path, undefined, key);
        expect(response.status, `${who}: ${path}`).toBe(200);
        for (const item of response.body.data as Array<{ accountId?: string | null }>) {
          if ('accountId' in item) expect(item.accountId, `${who}: ${path}`).toBe('tenant-a');
        }
        const text = JSON.stringify(response.body);
        for (const foreign of foreignStrings) expect(text, `${who}: ${path}`).not.toContain(foreign);
      }
    }
    for (const [who, key] of credentialsOfA()) {
      // The tenant's own event shows only its own delivery, not the provider-level one.
      const own = (await server.request('GET', '/v1/events/evt-a', undefined, key)).body;
      expect(own.deliveries, who).toHaveLength(1);
      expect(JSON.stringify(own), who).not.toContain(others.epP);
      // And the session describes itself as account A's, nothing more.
      expect((await server.request('GET', '/v1/me', undefined, key)).body).toMatchObject({ kind: 'account', accountId: 'tenant-a' });
    }
  });
});
