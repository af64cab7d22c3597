import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';

// POST /v1/accounts/{id}/portal-sessions: a magic link to one account's portal, backed by a
// short-lived account key. GET /v1/me: what a key may do, for the dashboard and the portal.

/** A clock the test moves forward, so that an hour-long session can expire at once. */
class ManualClock implements Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

describe('portal sessions', () => {
  let server: TestServer;
  const clock = new ManualClock();

  beforeAll(async () => {
    server = await startServer({}, undefined, clock);
    await createEventTypes(server, 'tick');
  });
  afterAll(async () => server?.close());

  it('creates a short-lived account key and a portal link carrying it in the fragment', async () => {
    const before = clock.now();
    const response = await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttlSeconds: 600 });
    expect(response.status).toBe(201);
    const { token, url, expiresAt, keyId } = response.body;
    expect(token).toMatch(/^hk_account_/);
    expect(url).toBe(`/portal#token=${encodeURIComponent(token)}`);
    expect(keyId).toMatch(/^key_/);
    const expires = Date.parse(expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 600_000);
    expect(expires).toBeLessThanOrEqual(clock.now() + 600_000);

    // The token is an account key of acme: it sees acme's endpoints and nothing of anyone else's.
    await createEndpoint(server, { url: 'https://acme.example.com/h', eventTypes: ['tick'], accountId: 'acme', title: 'acme-endpoint' });
    await createEndpoint(server, { url: 'https://other.example.com/h', eventTypes: ['tick'], accountId: 'other', title: 'other-endpoint' });
    await createEndpoint(server, { url: 'https://provider.example.com/h', eventTypes: ['tick'], title: 'provider-endpoint' });
    const list = await server.request('GET', '/v1/endpoints', undefined, token);
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: { title: string }) => e.title)).toEqual(['acme-endpoint']);
    expect((await server.request('GET', '/v1/accounts', undefined, token)).status).toBe(403);
    expect((await server.request('POST', '/v1/accounts/acme/portal-sessions', {}, token)).status).toBe(403);
  });

  it('lasts an hour without a body, and answers 401 once expired', async () => {
    const response = await server.request('POST', '/v1/accounts/acme/portal-sessions');
    expect(response.status).toBe(201);
    const expires = Date.parse(response.body.expiresAt);
    expect(expires - clock.now()).toBeGreaterThan(3590_000);
    expect(expires - clock.now()).toBeLessThanOrEqual(3600_000);
    const me = await server.request('GET', '/v1/me', undefined, response.body.token);
    expect(me.body).toMatchObject({ kind: 'account', accountId: 'acme', name: 'portal session', expiresAt: response.body.expiresAt });

    clock.advance(3601_000);
    const expired = await server.request('GET', '/v1/endpoints', undefined, response.body.token);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
  });

  it('refuses a lifetime outside 60 s to 7 days, naming the field', async () => {
    for (const ttlSeconds of [59, 604_801, 0, -1, 1.5, 'an hour', null]) {
      const response = await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttlSeconds });
      expect(response.status, String(ttlSeconds)).toBe(400);
      expect(response.body.error.details[0].field, String(ttlSeconds)).toBe('/ttlSeconds');
    }
    expect((await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttlSeconds: 60 })).status).toBe(201);
    expect((await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttlSeconds: 604_800 })).status).toBe(201);
    const unknown = await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttl: 60 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('/ttl');
    const badAccount = await server.request('POST', '/v1/accounts/a%20b/portal-sessions', {});
    expect(badAccount.status).toBe(400);
  });

  it('is for admins only', async () => {
    const publisher = (await server.request('POST', '/v1/keys', { kind: 'publisher' })).body.key;
    const account = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'acme' })).body.key;
    for (const key of [publisher, account]) {
      const response = await server.request('POST', '/v1/accounts/acme/portal-sessions', {}, key);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
    expect((await server.request('POST', '/v1/accounts/acme/portal-sessions', {}, null)).status).toBe(401);
  });

  it('lists sessions among the keys, where revoking one ends it at once', async () => {
    const { token, keyId } = (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body;
    const keys = (await server.request('GET', '/v1/keys?limit=250')).body.data;
    expect(keys.find((k: { id: string }) => k.id === keyId)).toMatchObject({ kind: 'account', accountId: 'acme', name: 'portal session' });
    expect(JSON.stringify(keys)).not.toContain(token);
    expect((await server.request('DELETE', `/v1/keys/${keyId}`)).status).toBe(204);
    expect((await server.request('GET', '/v1/endpoints', undefined, token)).status).toBe(401);
  });

  it('is in the OpenAPI document with its schema', async () => {
    const doc = (await server.request('GET', '/openapi.json', undefined, null)).body;
    const operation = doc.paths['/v1/accounts/{id}/portal-sessions'].post;
    expect(operation.requestBody.content['application/json'].schema.properties.ttlSeconds).toMatchObject({ minimum: 60, maximum: 604_800 });
    expect(Object.keys(operation.responses['201'].content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['token', 'url', 'expiresAt']),
    );
    expect(doc.paths['/v1/me'].get).toBeDefined();
  });
});

describe('GET /v1/me', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('describes the key making the request, whatever its kind', async () => {
    expect((await server.request('GET', '/v1/me')).body).toMatchObject({ kind: 'admin', accountId: null, expiresAt: null });
    const publisher = (await server.request('POST', '/v1/keys', { kind: 'publisher', name: 'ingest' })).body;
    expect((await server.request('GET', '/v1/me', undefined, publisher.key)).body).toEqual({
      keyId: publisher.id,
      kind: 'publisher',
      accountId: null,
      name: 'ingest',
      expiresAt: null,
    });
    expect((await server.request('GET', '/v1/me', undefined, null)).status).toBe(401);
    expect((await server.request('GET', '/v1/me', undefined, 'hk_admin_nope')).status).toBe(401);
  });
});

describe('portal links without HOOKD_PUBLIC_URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('are relative, never built from a forged Host header', async () => {
    // fetch() may not set Host, so the request is made by hand.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${server.url}/v1/accounts/acme/portal-sessions`, {
        method: 'POST',
        headers: { host: 'evil.example', authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.end('{}');
    });
    expect(status).toBe(201);
    const { token, url } = JSON.parse(body) as { token: string; url: string };
    expect(url).toBe(`/portal#token=${encodeURIComponent(token)}`);
    expect(url).not.toContain('evil.example');
  });
});

describe('portal links behind a proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ HOOKD_PUBLIC_URL: 'https://hooks.example.com/' });
  });
  afterAll(async () => server?.close());

  it('point at HOOKD_PUBLIC_URL rather than the address the request came to', async () => {
    const { token, url } = (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body;
    expect(url).toBe(`https://hooks.example.com/portal#token=${encodeURIComponent(token)}`);
  });
});
