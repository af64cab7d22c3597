import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// Failed authentication is throttled per client address: 20 refused keys in a minute, then 429
// with Retry-After for every request from that address until the minute ends, a correct key
// included. The address comes from X-Forwarded-For only with HOOKD_TRUST_PROXY.

const WRONG_KEY = 'hk_admin_this-key-does-not-exist';

async function me(server: TestServer, key: string, forwardedFor?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${server.url}/v1/me`, { headers });
  await response.arrayBuffer();
  return response;
}

async function failTwentyTimes(server: TestServer, forwardedFor?: string): Promise<void> {
  for (let i = 0; i < 20; i++) expect((await me(server, WRONG_KEY, forwardedFor)).status).toBe(401);
}

describe('failed authentication behind a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ HOOKD_TRUST_PROXY: 'true' });
  });
  afterAll(async () => server?.close());

  it('answers 429 with Retry-After after 20 failures from one address, and only to that address', async () => {
    await failTwentyTimes(server, '203.0.113.1');
    const throttled = await me(server, WRONG_KEY, '203.0.113.1');
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A correct key from the throttled address waits too: a right guess looks like a wrong one.
    expect((await me(server, server.adminKey, '203.0.113.1')).status).toBe(429);
    // The proxy appends the address it saw; what the client put before it is ignored.
    expect((await me(server, server.adminKey, '198.51.100.99, 203.0.113.1')).status).toBe(429);

    expect((await me(server, server.adminKey, '203.0.113.2')).status).toBe(200);
    expect((await me(server, WRONG_KEY, '203.0.113.2')).status).toBe(401);
  });
});

describe('failed authentication without a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('ignores X-Forwarded-For: changing it does not escape the throttle', async () => {
    await failTwentyTimes(server, '203.0.113.1');
    const throttled = await me(server, WRONG_KEY, '203.0.113.9');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).not.toBeNull();
    expect((await me(server, server.adminKey, '198.51.100.7')).status).toBe(429);
  });
});
