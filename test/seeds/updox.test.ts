import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Seed 001 (Updox): an event catalog (WebHookEventList), vendor-level and practice-level
// subscriptions, a one-off callbackUrl, and "4xx: dropped, 5xx: retried every 5 minutes, 15 times".

const CATALOG = [
  { name: 'inbound_fax', description: 'Inbound Fax', examples: [{ faxId: 1, accountId: '' }] },
  { name: 'outbound_fax', description: 'Outbound Fax', examples: [{ faxId: 1, accountId: '', status: 'success' }] },
  { name: 'inbound_mdn', description: 'Inbound MDN', examples: [{ messageId: '', mdnStatus: 'received' }] },
  { name: 'inbound_direct', description: 'Inbound Direct Message', examples: [{ accountId: '', userId: '', messageId: '' }] },
];

describe('seed 001: Updox', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    for (const type of CATALOG) expect((await server.request('POST', '/v1/event-types', { ...type, category: 'fax' })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('lists the event catalog to every key kind, like WebHookEventList', async () => {
    const practice = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'practice-1' })).body.key;
    const listed = await server.request('GET', '/v1/event-types?category=fax', undefined, practice);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((t: { name: string; description: string }) => [t.name, t.description])).toEqual([
      ['inbound_direct', 'Inbound Direct Message'],
      ['inbound_fax', 'Inbound Fax'],
      ['inbound_mdn', 'Inbound MDN'],
      ['outbound_fax', 'Outbound Fax'],
    ]);
    expect(listed.body.data.find((t: { name: string }) => t.name === 'outbound_fax').parameters.map((p: { path: string }) => p.path)).toEqual([
      'faxId',
      'accountId',
      'status',
    ]);
  });

  it('vendor-level endpoints hear every practice; practice-level ones only their own', async () => {
    const vendor = await createEndpoint(server, { url: `${receiver.url}/vendor`, eventTypes: ['inbound_fax'] });
    const practiceKey = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'practice-1' })).body.key;
    const practice = await createEndpoint(server, { url: `${receiver.url}/practice`, eventTypes: ['inbound_fax'], active: true }, practiceKey);
    expect(vendor.accountId).toBeNull();
    expect(practice.accountId).toBe('practice-1');

    await postEvent(server, { type: 'inbound_fax', payload: { faxId: 1, accountId: 'practice-1' }, accountId: 'practice-1' });
    await postEvent(server, { type: 'inbound_fax', payload: { faxId: 2, accountId: 'practice-2' }, accountId: 'practice-2' });
    await waitFor(() => receiver.requestsTo('/vendor').length === 2 && receiver.requestsTo('/practice').length === 1);
    expect(JSON.parse(receiver.requestsTo('/practice')[0]!.body).data).toEqual({ faxId: 1, accountId: 'practice-1' });
    const vendorFaxIds = receiver.requestsTo('/vendor').map((r) => JSON.parse(r.body).data.faxId).sort();
    expect(vendorFaxIds).toEqual([1, 2]);
  });

  it('drops a call answered 4xx after one attempt, and retries 5xx on the fixed schedule', async () => {
    receiver.script('/rejects', [{ status: 404 }]);
    receiver.script('/unavailable', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    // Updox: "the process runs every 5 minutes and will try to call the url 15 times" — here every second.
    const updoxRetry = { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 16, dropOn4xx: true };
    const rejects = await createEndpoint(server, { url: `${receiver.url}/rejects`, eventTypes: ['outbound_fax'], retry: updoxRetry });
    const unavailable = await createEndpoint(server, { url: `${receiver.url}/unavailable`, eventTypes: ['outbound_fax'], retry: updoxRetry });
    const { id } = await postEvent(server, { type: 'outbound_fax', payload: { faxId: 3, status: 'busy' } });

    const settled = await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data as Array<Record<string, Json>>;
      const byEndpoint = Object.fromEntries(data.map((d) => [d.endpointId, d]));
      const done = byEndpoint[rejects.id]?.status === 'dropped' && byEndpoint[unavailable.id]?.status === 'succeeded';
      return done ? byEndpoint : null;
    }, { timeoutMs: 15_000, what: 'the 4xx dropped and the 5xx retried to success' });
    expect(settled[rejects.id]).toMatchObject({ attempts: 1, lastStatusCode: 404 });
    expect(settled[unavailable.id]).toMatchObject({ attempts: 3, lastStatusCode: 200 });
    expect(receiver.requestsTo('/rejects')).toHaveLength(1);
    const times = receiver.requestsTo('/unavailable').map((r) => r.receivedAt);
    // A fixed schedule is exact (no jitter): the retry is planned a full interval after the failure.
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1000);
  });

  it('plans the retry after a 5xx exactly 5 minutes later: a fixed schedule has no jitter', async () => {
    // A clock that stands still: the planned time is then exactly "now + delay", with nothing
    // elapsing between the attempt and its bookkeeping.
    const frozenAt = Date.parse('2026-11-30T12:00:00Z');
    const still = await startServer({}, undefined, { now: () => frozenAt });
    try {
      receiver.script('/every-5-minutes', [{ status: 503 }]);
      const retry = { schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true };
      await still.request('POST', '/v1/event-types', { name: 'outbound_fax' });
      const updox = await createEndpoint(still, { url: `${receiver.url}/every-5-minutes`, eventTypes: ['outbound_fax'], retry });
      expect(updox.retry).toMatchObject({ schedule: 'fixed', jitter: false });
      const events = [];
      for (let i = 0; i < 5; i++) events.push(await postEvent(still, { type: 'outbound_fax', payload: { faxId: 10 + i } }));
      const planned = await waitFor(async () => {
        const data = (await still.request('GET', `/v1/deliveries?endpointId=${updox.id}`)).body.data as Array<Record<string, Json>>;
        const retrying = data.filter((d) => d.attempts === 1 && d.status === 'pending' && d.nextAttemptAt !== null);
        return retrying.length === events.length ? retrying : null;
      }, { what: 'five failed first attempts with their retry planned' });
      // With ±10 % jitter each would land anywhere between 270 s and 330 s.
      expect(planned.map((d) => Date.parse(d.nextAttemptAt) - frozenAt)).toEqual(events.map(() => 300_000));
    } finally {
      await still.close();
    }
  });

  it('calls an on-the-fly callbackUrl for one request, with no subscription', async () => {
    const { deliveries } = await postEvent(server, {
      type: 'inbound_mdn',
      payload: { messageId: 'm-1', mdnStatus: 'processed' },
      callbackUrl: `${receiver.url}/fax-oem-send-callback`,
    });
    expect(deliveries).toBe(1);
    const request = await waitFor(() => receiver.requestsTo('/fax-oem-send-callback')[0]);
    expect(JSON.parse(request.body)).toMatchObject({ type: 'inbound_mdn', data: { messageId: 'm-1', mdnStatus: 'processed' } });
  });

  it('switching a practice off stops its webhooks until it is switched on again', async () => {
    await server.request('PUT', '/v1/accounts/practice-9', { enabled: false });
    await createEndpoint(server, { url: `${receiver.url}/practice-9`, eventTypes: ['inbound_direct'], accountId: 'practice-9' });
    expect((await postEvent(server, { type: 'inbound_direct', payload: {}, accountId: 'practice-9' })).deliveries).toBe(0);
    await server.request('PUT', '/v1/accounts/practice-9', { enabled: true });
    expect((await postEvent(server, { type: 'inbound_direct', payload: {}, accountId: 'practice-9' })).deliveries).toBe(1);
    await waitFor(() => receiver.requestsTo('/practice-9').length === 1);
  });
});
