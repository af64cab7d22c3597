import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Seed 000 (IXC ACS): request a reboot of RTR-42, get a protocol number at once, and a webhook with
// the outcome when the provider's worker reports it — or a timed_out one when it never does.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('operations with a protocol number', () => {
  let server: TestServer;
  let receiver: Receiver;
  let publisherKey: string;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    for (const name of ['device.reboot', 'device.parameters.update']) await server.request('POST', '/v1/event-types', { name, category: 'acs' });
    publisherKey = (await server.request('POST', '/v1/keys', { kind: 'publisher' })).body.key;
    await createEndpoint(server, { url: `${receiver.url}/acme-monitor`, eventTypes: ['device.*'], accountId: 'acme' });
    await createEndpoint(server, { url: `${receiver.url}/globex-monitor`, eventTypes: ['device.*'], accountId: 'globex' });
    await createEndpoint(server, { url: `${receiver.url}/timeouts`, eventTypes: ['hookd.operation.timed_out'] });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  async function requestReboot(extra: Record<string, unknown> = {}) {
    const response = await server.request(
      'POST',
      '/v1/operations',
      { type: 'device.reboot', accountId: 'acme', subject: 'RTR-42', callbackUrl: `${receiver.url}/resultado`, data: { force: true }, ...extra },
      publisherKey,
    );
    expect(response.status).toBe(202);
    return response.body as { protocol: string; status: string; expiresAt: string };
  }

  function webhooksFor(protocol: string, path: string) {
    return receiver.requestsTo(path).filter((r) => r.headers['webhook-correlation-id'] === protocol);
  }

  it('answers at once with a UUID protocol, pending, expiring in an hour by default', async () => {
    const before = Date.now();
    const operation = await requestReboot();
    expect(operation.protocol).toMatch(UUID_V4);
    expect(operation.protocol).toHaveLength(36);
    expect(operation.status).toBe('pending');
    const expiresIn = Date.parse(operation.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(3595_000);
    expect(expiresIn).toBeLessThan(3605_000);
  });

  it('sends the outcome to the callbackUrl and to the account\'s subscribed endpoints, with the protocol', async () => {
    const { protocol } = await requestReboot();
    const completed = await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'succeeded', data: { uptime: 3 } }, publisherKey);
    expect(completed.status).toBe(202);
    expect(completed.body).toMatchObject({ protocol, status: 'succeeded', late: false, result: { uptime: 3 } });

    const [callback] = await waitFor(() => (webhooksFor(protocol, '/resultado').length === 1 ? webhooksFor(protocol, '/resultado') : null));
    await waitFor(() => webhooksFor(protocol, '/acme-monitor').length === 1);
    const body = JSON.parse(callback!.body);
    expect(body.type).toBe('device.reboot');
    expect(body.data).toMatchObject({ protocol, subject: 'RTR-42', status: 'succeeded', data: { uptime: 3 } });
    expect(Date.parse(body.data.requestedAt)).toBeLessThanOrEqual(Date.parse(body.data.completedAt));
    expect(body.data.late).toBeUndefined();
    expect(callback!.headers['webhook-event-type']).toBe('device.reboot');
    expect(webhooksFor(protocol, '/globex-monitor')).toHaveLength(0);

    // The polling fallback and the search by correlation id.
    const polled = (await server.request('GET', `/v1/operations/${protocol}`)).body;
    expect(polled).toMatchObject({ protocol, status: 'succeeded', subject: 'RTR-42', data: { force: true }, result: { uptime: 3 } });
    expect(polled.deliveries).toHaveLength(2);
    expect((await server.request('GET', `/v1/events?correlationId=${protocol}`)).body.data).toHaveLength(1);
    expect((await server.request('GET', `/v1/deliveries?correlationId=${protocol}`)).body.data).toHaveLength(2);
  });

  it('sends a failure the same way', async () => {
    const { protocol } = await requestReboot({ type: 'device.parameters.update' });
    await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'failed', data: { reason: 'device offline' } }, publisherKey);
    const [callback] = await waitFor(() => (webhooksFor(protocol, '/resultado').length === 1 ? webhooksFor(protocol, '/resultado') : null));
    expect(JSON.parse(callback!.body)).toMatchObject({ type: 'device.parameters.update', data: { status: 'failed', data: { reason: 'device offline' } } });
  });

  it('refuses a second completion with 409 and an unknown protocol with 404', async () => {
    const { protocol } = await requestReboot();
    expect((await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'succeeded' }, publisherKey)).status).toBe(202);
    const again = await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'failed' }, publisherKey);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const unknown = await server.request('POST', '/v1/operations/00000000-0000-4000-8000-000000000000/complete', { status: 'succeeded' }, publisherKey);
    expect(unknown.status).toBe(404);
    await waitFor(() => webhooksFor(protocol, '/resultado').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(webhooksFor(protocol, '/resultado')).toHaveLength(1);
  });

  it('times out without an outcome, then still delivers a late completion marked late', async () => {
    const { protocol } = await requestReboot({ timeoutSeconds: 1 });
    const [timedOut] = await waitFor(() => (webhooksFor(protocol, '/resultado').length >= 1 ? webhooksFor(protocol, '/resultado') : null), {
      timeoutMs: 5000,
      what: 'the timed_out webhook',
    });
    expect(JSON.parse(timedOut!.body).data).toMatchObject({ protocol, subject: 'RTR-42', status: 'timed_out', data: null });
    const alert = await waitFor(() => webhooksFor(protocol, '/timeouts')[0], { what: 'hookd.operation.timed_out' });
    expect(JSON.parse(alert.body)).toMatchObject({ type: 'hookd.operation.timed_out', data: { protocol, type: 'device.reboot', subject: 'RTR-42' } });
    expect((await server.request('GET', `/v1/operations/${protocol}`)).body.status).toBe('timed_out');

    const late = await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'succeeded' }, publisherKey);
    expect(late.status).toBe(202);
    expect(late.body).toMatchObject({ status: 'succeeded', late: true });
    await waitFor(() => webhooksFor(protocol, '/resultado').length === 2);
    const outcome = JSON.parse(webhooksFor(protocol, '/resultado')[1]!.body);
    expect(outcome.data).toMatchObject({ protocol, status: 'succeeded', late: true });
    expect((await server.request('POST', `/v1/operations/${protocol}/complete`, { status: 'failed' }, publisherKey)).status).toBe(409);
  });

  it('lists operations by status, type and account; account keys see only their own', async () => {
    const { protocol } = await requestReboot({ accountId: 'globex', type: 'device.parameters.update' });
    const listed = (await server.request('GET', '/v1/operations?status=pending&type=device.parameters.update')).body.data;
    expect(listed.map((o: { protocol: string }) => o.protocol)).toContain(protocol);
    expect((await server.request('GET', '/v1/operations?status=succeeded&type=device.parameters.update')).body.data.map((o: { protocol: string }) => o.protocol)).not.toContain(protocol);
    // An admin filters by account at the route.
    const globex = (await server.request('GET', '/v1/operations?accountId=globex')).body.data as Array<{ protocol: string; accountId: string }>;
    expect(globex.map((o) => o.protocol)).toContain(protocol);
    expect(globex.every((o) => o.accountId === 'globex')).toBe(true);
    expect((await server.request('GET', '/v1/operations?accountId=acme')).body.data.map((o: { protocol: string }) => o.protocol)).not.toContain(protocol);
    const acmeKey = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'acme' })).body.key;
    const asAcme = (await server.request('GET', '/v1/operations', undefined, acmeKey)).body.data;
    expect(asAcme.length).toBeGreaterThan(0);
    expect(asAcme.every((o: { accountId: string }) => o.accountId === 'acme')).toBe(true);
    expect((await server.request('GET', `/v1/operations/${protocol}`, undefined, acmeKey)).status).toBe(404);
    expect((await server.request('POST', '/v1/operations', { type: 'device.reboot' }, acmeKey)).status).toBe(403);
  });

  it.each([
    ['an unknown type', { type: 'nope' }, '/type'],
    ['a timeout of 0', { type: 'device.reboot', timeoutSeconds: 0 }, '/timeoutSeconds'],
    ['a timeout over 7 days', { type: 'device.reboot', timeoutSeconds: 604_801 }, '/timeoutSeconds'],
    ['a bad callbackUrl', { type: 'device.reboot', callbackUrl: 'gopher://x' }, '/callbackUrl'],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    const response = await server.request('POST', '/v1/operations', body, publisherKey);
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe(field);
  });

  it('times out a thousand operations together, each exactly once', async () => {
    const protocols: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const response = await server.request(
        'POST',
        '/v1/operations',
        { type: 'device.reboot', subject: `RTR-${i}`, callbackUrl: `${receiver.url}/bulk`, timeoutSeconds: 2 },
        publisherKey,
      );
      protocols.push(response.body.protocol);
    }
    await waitFor(() => receiver.requestsTo('/bulk').length >= 1000, { timeoutMs: 30_000, what: '1000 timed_out webhooks' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = receiver.requestsTo('/bulk').map((r) => JSON.parse(r.body).data.protocol as string);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen)).toEqual(new Set(protocols));
  }, 60_000);
});
