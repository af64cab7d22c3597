import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSED_PORT, REDIS_URL, testSend, uniqueName } from '../../support/brokers.js';
import { createEndpoint } from '../../support/fixtures.js';
import { startServer, type TestServer } from '../../support/server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';

// Broker connections are pooled per URL and closed when no endpoint uses them any more: counted
// at a loopback proxy in front of the machine's Redis, as endpoints sharing a URL are deleted,
// disabled, turned into HTTP endpoints or given another URL — with no delivery pending for them,
// so it is the API's change that lets go, not a later attempt.

describe('broker connections closed when no endpoint uses them', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  const stream = uniqueName('hookd-test-pool-');

  beforeAll(async () => {
    proxy = await startTcpProxy(6379);
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  async function redisEndpoint(): Promise<string> {
    const endpoint = await createEndpoint(server, { url: `redis://127.0.0.1:${proxy.port}/0`, destination: { type: 'redis', stream, maxLen: 10 } });
    expect(await testSend(server, endpoint.id)).toMatchObject({ statusCode: 202 });
    return endpoint.id;
  }

  async function openConnections(count: number): Promise<void> {
    await waitFor(() => (proxy.openConnections() === count ? true : null), { what: `${count} open connections at the proxy` });
  }

  async function patch(endpointId: string, body: Record<string, unknown>): Promise<void> {
    expect((await server.request('PATCH', `/v1/endpoints/${endpointId}`, body)).status).toBe(200);
  }

  it('shares one connection and closes it when the last endpoint is deleted or disabled', async () => {
    const first = await redisEndpoint();
    const second = await redisEndpoint();
    expect(proxy.openConnections()).toBe(1);

    expect((await server.request('DELETE', `/v1/endpoints/${first}`)).status).toBe(204);
    // Still the second endpoint's: it publishes on the same connection.
    expect(await testSend(server, second)).toMatchObject({ statusCode: 202 });
    expect(proxy.openConnections()).toBe(1);

    await patch(second, { active: false });
    await openConnections(0);
    await patch(second, { active: true });
    expect(await testSend(server, second)).toMatchObject({ statusCode: 202 });
    await openConnections(1);
    expect((await server.request('DELETE', `/v1/endpoints/${second}`)).status).toBe(204);
    await openConnections(0);
  });

  it('closes it when the last endpoint becomes an HTTP endpoint or moves to another broker URL', async () => {
    const toHttp = await redisEndpoint();
    await patch(toHttp, { url: `http://127.0.0.1:${CLOSED_PORT}/hooks`, destination: { type: 'http' } });
    await openConnections(0);

    const moved = await redisEndpoint();
    await openConnections(1);
    await patch(moved, { url: REDIS_URL });
    await openConnections(0);
    // Where it publishes now works without the proxy.
    expect(await testSend(server, moved)).toMatchObject({ statusCode: 202 });
  });
});
