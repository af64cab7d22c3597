import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('keys and authorisation', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    await createEventTypes(server, 'ticket.updated');
  });
  afterAll(async () => server?.close());

  async function newKey(body: Record<string, unknown>) {
    const response = await server.request('POST', '/v1/keys', body);
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string; kind: string; accountId: string | null };
  }

  it('shows a key once on creation and never again', async () => {
    const created = await newKey({ kind: 'publisher', name: 'billing service' });
    expect(created.key).toMatch(/^hk_publisher_/);
    const listed = await server.request('GET', '/v1/keys');
    const entry = listed.body.data.find((k: { id: string }) => k.id === created.id);
    expect(entry).toMatchObject({ kind: 'publisher', name: 'billing service', accountId: null });
    expect(entry.key).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
  });

  it('revokes a key at once', async () => {
    const created = await newKey({ kind: 'publisher' });
    expect((await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: {} }, created.key)).status).toBe(202);
    expect((await server.request('DELETE', `/v1/keys/${created.id}`)).status).toBe(204);
    const after = await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: {} }, created.key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await server.request('DELETE', `/v1/keys/${created.id}`)).status).toBe(404);
  });

  it('refuses expired keys', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const created = await newKey({ kind: 'admin', expiresAt: soon });
    expect((await server.request('GET', '/v1/keys', undefined, created.key)).status).toBe(200);
    const refused = await waitFor(async () => {
      const response = await server.request('GET', '/v1/keys', undefined, created.key);
      return response.status === 200 ? null : response;
    }, { what: 'the key to expire' });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'unauthorized', message: 'the key has expired' });
  });

  it('shows when a key was last used, and never before it is', async () => {
    const created = await newKey({ kind: 'publisher', name: 'usage' });
    const listed = async () => (await server.request('GET', '/v1/keys?limit=250')).body.data.find((k: { id: string }) => k.id === created.id);
    expect((await listed()).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: {} }, created.key)).status).toBe(202);
    // Use is written in batches (every 2 s), not on every request.
    const used = await waitFor(async () => {
      const key = await listed();
      return key.lastUsedAt === null ? null : key;
    }, { what: 'lastUsedAt to be written' });
    expect(Date.parse(used.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it.each([
    ['no header', null],
    ['an unknown key', 'hk_admin_nope'],
  ])('answers 401 with %s', async (_what, key) => {
    const response = await server.request('GET', '/v1/endpoints', undefined, key);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  it('account keys need an accountId, and only they take one', async () => {
    const missing = await server.request('POST', '/v1/keys', { kind: 'account' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('/accountId');
    const extra = await server.request('POST', '/v1/keys', { kind: 'publisher', accountId: 'acme' });
    expect(extra.status).toBe(400);
  });

  it('publisher keys may only ingest', async () => {
    const { key } = await newKey({ kind: 'publisher' });
    expect((await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: {} }, key)).status).toBe(202);
    expect((await server.request('GET', '/v1/event-types', undefined, key)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/v1/endpoints'],
      ['GET', '/v1/events'],
      ['GET', '/v1/deliveries'],
      ['GET', '/v1/keys'],
      ['GET', '/v1/accounts'],
    ] as const) {
      const response = await server.request(method, path, undefined, key);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
  });

  it('account keys see only their own account, and never provider-level endpoints', async () => {
    const acme = await newKey({ kind: 'account', accountId: 'acme' });
    const globex = await newKey({ kind: 'account', accountId: 'globex' });
    const providerLevel = await createEndpoint(server, { url: 'http://127.0.0.1:9/all', eventTypes: ['*'] });
    const ownEndpoint = await createEndpoint(server, { url: 'http://127.0.0.1:9/acme', eventTypes: ['*'] }, acme.key);
    expect(ownEndpoint.accountId).toBe('acme');

    const forbidden = await server.request('POST', '/v1/endpoints', { url: 'http://127.0.0.1:9/x', accountId: 'globex' }, acme.key);
    expect(forbidden.status).toBe(403);

    const listed = (await server.request('GET', '/v1/endpoints', undefined, acme.key)).body.data.map((e: { id: string }) => e.id);
    expect(listed).toEqual([ownEndpoint.id]);
    expect((await server.request('GET', `/v1/endpoints/${providerLevel.id}`, undefined, acme.key)).status).toBe(404);
    expect((await server.request('GET', `/v1/endpoints/${ownEndpoint.id}`, undefined, globex.key)).status).toBe(404);
    expect((await server.request('PATCH', `/v1/endpoints/${ownEndpoint.id}`, { title: 'x' }, globex.key)).status).toBe(404);
    expect((await server.request('DELETE', `/v1/endpoints/${ownEndpoint.id}`, undefined, globex.key)).status).toBe(404);
    expect((await server.request('GET', `/v1/endpoints/${ownEndpoint.id}/secret`, undefined, globex.key)).status).toBe(404);
    expect((await server.request('GET', '/v1/endpoints?accountId=globex', undefined, acme.key)).body.data).toEqual([]);

    for (const [method, path] of [
      ['POST', '/v1/events'],
      ['GET', '/v1/keys'],
      ['GET', '/v1/accounts'],
    ] as const) {
      expect((await server.request(method, path, method === 'POST' ? { type: 'ticket.updated', payload: {} } : undefined, acme.key)).status).toBe(403);
    }

    // Events and deliveries: only the account's own.
    await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: { n: 1 }, accountId: 'acme', id: 'acme-evt' });
    await server.request('POST', '/v1/events', { type: 'ticket.updated', payload: { n: 2 }, accountId: 'globex', id: 'globex-evt' });
    const events = (await server.request('GET', '/v1/events', undefined, acme.key)).body.data.map((e: { id: string }) => e.id);
    expect(events).toContain('acme-evt');
    expect(events).not.toContain('globex-evt');
    expect((await server.request('GET', '/v1/events/globex-evt', undefined, acme.key)).status).toBe(404);
    const acmeEvent = (await server.request('GET', '/v1/events/acme-evt', undefined, acme.key)).body;
    // The provider-level delivery of its own event is not the account's to see.
    expect(acmeEvent.deliveries.map((d: { endpointId: string }) => d.endpointId)).toEqual([ownEndpoint.id]);
    const deliveries = (await server.request('GET', '/v1/deliveries', undefined, acme.key)).body.data;
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d: { accountId: string }) => d.accountId === 'acme')).toBe(true);
  });
});

describe('accounts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('are created by first use, enabled, and can be named and disabled', async () => {
    await createEventTypes(server, 'x');
    await server.request('POST', '/v1/events', { type: 'x', payload: {}, accountId: 'initech' });
    const account = (await server.request('GET', '/v1/accounts/initech')).body;
    expect(account).toMatchObject({ id: 'initech', enabled: true, name: null, metadata: {} });
    const updated = await server.request('PUT', '/v1/accounts/initech', { name: 'Initech', enabled: false, metadata: { plan: 'gold' } });
    expect(updated.body).toMatchObject({ id: 'initech', name: 'Initech', enabled: false, metadata: { plan: 'gold' } });
    expect((await server.request('GET', '/v1/accounts')).body.data.map((a: { id: string }) => a.id)).toContain('initech');
    expect((await server.request('GET', '/v1/accounts/nobody')).status).toBe(404);
  });

  it('a disabled account\'s endpoints get no new deliveries; events are still stored', async () => {
    await server.request('PUT', '/v1/accounts/hooli', { enabled: false });
    await createEndpoint(server, { url: 'http://127.0.0.1:9/hooli', eventTypes: ['*'], accountId: 'hooli' });
    const accepted = await server.request('POST', '/v1/events', { type: 'x', payload: {}, accountId: 'hooli' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toBe(0);
    await server.request('PUT', '/v1/accounts/hooli', { enabled: true });
    const again = await server.request('POST', '/v1/events', { type: 'x', payload: {}, accountId: 'hooli' });
    expect(again.body.deliveries).toBe(1);
  });
});
