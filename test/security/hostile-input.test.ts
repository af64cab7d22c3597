import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

describe('hostile input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await server.request('POST', '/v1/event-types', { name: 'x' });
  });
  afterAll(async () => server?.close());

  async function raw(body: string | Buffer, contentType = 'application/json') {
    const response = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
  }

  it('refuses JSON nested deeper than 64 levels, however deep (and past the body limit, 413)', async () => {
    expect((await raw(`{"type":"x","payload":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)).status).toBe(413);
    for (const depth of [65, 10_000, 100_000]) {
      const response = await raw(`{"type":"x","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      expect(response.status, `depth ${depth}`).toBe(400);
      expect(response.body.error.message).toContain('nested deeper than 64');
    }
    expect((await raw(`{"type":"x","payload":${'['.repeat(60)}${']'.repeat(60)}}`)).status).toBe(202);
  });

  it('does not count brackets inside strings as nesting', async () => {
    expect((await raw(JSON.stringify({ type: 'x', payload: { text: '['.repeat(1000) } }))).status).toBe(202);
  });

  it('refuses invalid UTF-8 instead of storing replacement characters', async () => {
    const body = Buffer.concat([Buffer.from('{"type":"x","payload":{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const response = await raw(body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('UTF-8');
  });

  it('refuses prototype-poisoning keys', async () => {
    expect((await raw('{"type":"x","payload":{"__proto__":{"admin":true}}}')).status).toBe(400);
    expect((await raw('{"type":"x","payload":{"constructor":{"prototype":{"admin":true}}}}')).status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses numbers too large for a double instead of storing them as null', async () => {
    for (const number of ['1e309', '-1e309', '9'.repeat(400)]) {
      const response = await raw(`{"type":"x","payload":{"amount":${number}}}`);
      expect(response.status, number).toBe(400);
      expect(response.body.error.message).toContain('"amount" is too large');
    }
    expect((await raw('{"type":"x","payload":{"amount":1e308}}')).status).toBe(202);
  });

  it('answers 415 to other content types, 400 to an empty or broken body', async () => {
    expect((await raw('type=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await raw('', 'application/json')).status).toBe(400);
    expect((await raw('{"type":', 'application/json')).status).toBe(400);
  });

  it('answers 400 to oversized headers values, ids and query strings rather than failing later', async () => {
    const endpoint = await server.request('POST', '/v1/endpoints', { url: 'https://example.com/', headers: { 'X-Big': 'v'.repeat(5000) } });
    expect(endpoint.status).toBe(400);
    expect((await server.request('GET', `/v1/endpoints/${'e'.repeat(300)}`)).status).toBe(414);
    expect((await server.request('GET', `/v1/events?type=${'t'.repeat(200)}`)).status).toBe(400);
  });

  it('limits requests per key: 429 with Retry-After, other keys unaffected', async () => {
    const limited = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'noisy', rateLimitPerSecond: 5 })).body;
    expect(limited.rateLimitPerSecond).toBe(5);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 15; i++) {
      const response = await server.request('GET', '/v1/endpoints', undefined, limited.key);
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(response.body.error.code).toBe('rate_limited');
      }
    }
    // The bucket holds 10 (at least 10, or two seconds' worth): the rest are refused.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await server.request('GET', '/v1/endpoints')).status).toBe(200);
    const accountDefault = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'calm' })).body;
    expect(accountDefault.rateLimitPerSecond).toBe(100);
  });
});
