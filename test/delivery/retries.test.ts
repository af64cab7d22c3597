import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Retries use the custom schedule with 1-second delays so that tests run in seconds.

describe('retries and outcomes', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'job.done');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  async function deliveryOf(eventId: string) {
    return (await server.request('GET', `/v1/deliveries?eventId=${eventId}`)).body.data[0];
  }

  async function settled(eventId: string, status: string, timeoutMs = 15_000) {
    return waitFor(async () => {
      const delivery = await deliveryOf(eventId);
      return delivery?.status === status ? delivery : null;
    }, { timeoutMs, what: `delivery of ${eventId} to be ${status}` });
  }

  async function attemptsOf(deliveryId: string) {
    return (await server.request('GET', `/v1/deliveries/${deliveryId}/attempts`)).body.data as Array<Record<string, Json>>;
  }

  it('retries a receiver that fails twice, then succeeds, and records all three attempts', async () => {
    receiver.script('/flaky', [
      { status: 500, body: 'first failure' },
      { status: 503, body: 'second failure' },
      { status: 200, body: 'finally' },
    ]);
    await createEndpoint(server, {
      url: `${receiver.url}/flaky`,
      eventTypes: ['job.done'],
      retry: { schedule: 'custom', delaysSeconds: [1, 1] },
    });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 1 } });
    const delivery = await settled(id, 'succeeded');
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(delivery.completedAt).not.toBeNull();

    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([
      [200, 'finally'],
      [503, 'second failure'],
      [500, 'first failure'],
    ]);
    // Every retry carries the same webhook-id, so the receiver can deduplicate.
    const ids = new Set(receiver.requestsTo('/flaky').map((request) => request.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // And the retries waited for the schedule.
    const times = receiver.requestsTo('/flaky').map((request) => request.receivedAt);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(850);
  });

  it('marks a delivery failed when its retries are exhausted', async () => {
    receiver.script('/down', [{ status: 502, body: 'bad gateway' }]);
    await createEndpoint(server, {
      url: `${receiver.url}/down`,
      eventTypes: ['job.done'],
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 2 },
    });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 2 } });
    const delivery = await settled(id, 'failed');
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 502 });
    expect(receiver.requestsTo('/down')).toHaveLength(2);
  });

  it('ends an attempt at the endpoint\'s timeout and retries it', async () => {
    receiver.script('/slow', ['hang', { status: 200 }]);
    await createEndpoint(server, {
      url: `${receiver.url}/slow`,
      eventTypes: ['job.done'],
      timeoutMs: 1000,
      retry: { schedule: 'custom', delaysSeconds: [1] },
    });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 3 } });
    const delivery = await settled(id, 'succeeded');
    const attempts = await attemptsOf(delivery.id);
    expect(attempts[1]).toMatchObject({ statusCode: null, error: 'timeout' });
    expect(attempts[1]!.durationMs).toBeGreaterThanOrEqual(950);
    expect(attempts[1]!.durationMs).toBeLessThan(5000);
  });

  it('records a dropped connection and a refused one as errors, not crashes', async () => {
    receiver.script('/drops', ['close']);
    await createEndpoint(server, {
      url: `${receiver.url}/drops`,
      eventTypes: ['job.done'],
      retry: { enabled: false },
    });
    // A port nothing listens on: the receiver's own port range is loopback, so refused at once.
    const closed = await startReceiver();
    const refusedUrl = `${closed.url}/nobody`;
    await closed.close();
    await createEndpoint(server, { url: refusedUrl, eventTypes: ['job.done'], retry: { enabled: false } });

    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 4 } });
    const deliveries = await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data as Array<Record<string, Json>>;
      const mine = data.filter((d) => d.url.endsWith('/drops') || d.url === refusedUrl);
      return mine.length === 2 && mine.every((d) => d.status === 'dropped') ? mine : null;
    }, { what: 'both deliveries dropped' });
    const errors = Object.fromEntries(deliveries.map((d) => [d.url.endsWith('/drops') ? 'drops' : 'refused', d.lastError]));
    expect(errors).toEqual({ drops: 'connection_reset', refused: 'connection_refused' });
  });

  it('does not follow redirects: a 3xx is a failure', async () => {
    receiver.script('/moved', [{ status: 301, headers: { location: `${receiver.url}/target` } }]);
    await createEndpoint(server, { url: `${receiver.url}/moved`, eventTypes: ['job.done'], retry: { enabled: false } });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 5 } });
    const delivery = await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data as Array<Record<string, Json>>;
      const moved = data.find((d) => d.url.endsWith('/moved'));
      return moved?.status === 'dropped' ? moved : null;
    });
    expect(delivery.lastStatusCode).toBe(301);
    expect(receiver.requestsTo('/target')).toHaveLength(0);
  });

  it('410 Gone drops the delivery and disables the endpoint, and says so with hookd.endpoint.disabled', async () => {
    receiver.script('/gone', [{ status: 410 }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/gone`, eventTypes: ['job.done'] });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 6 } });
    await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data as Array<Record<string, Json>>;
      return data.find((d) => d.endpointId === endpoint.id)?.status === 'dropped';
    });
    const after = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body;
    expect(after.active).toBe(false);
    expect(after.disabledReason).toMatch(/^gone: /);
    const announced = await waitFor(async () => {
      const data = (await server.request('GET', '/v1/events?type=hookd.endpoint.disabled&limit=100')).body.data as Array<Record<string, Json>>;
      return data.find((event) => event.payload.endpointId === endpoint.id) ?? null;
    });
    expect(announced.payload).toMatchObject({ url: endpoint.url });
  });

  it('a manual retry makes one immediate new attempt of a finished delivery', async () => {
    receiver.script('/manual', [{ status: 500 }, { status: 200 }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/manual`, eventTypes: ['job.done'], retry: { enabled: false } });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 7 } });
    const dropped = await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&eventId=${id}`)).body.data;
      return data[0]?.status === 'dropped' ? data[0] : null;
    });
    const retried = await server.request('POST', `/v1/deliveries/${dropped.id}/retry`);
    expect(retried.status).toBe(202);
    await waitFor(async () => (await server.request('GET', `/v1/deliveries/${dropped.id}`)).body.status === 'succeeded');
    expect((await attemptsOf(dropped.id)).length).toBe(2);
  });

  it('cancels a pending delivery, and refuses to cancel a finished one', async () => {
    receiver.script('/later', [{ status: 500 }]);
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/later`,
      eventTypes: ['job.done'],
      retry: { schedule: 'custom', delaysSeconds: [3600] },
    });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 8 } });
    const pending = await waitFor(async () => {
      const data = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&eventId=${id}`)).body.data;
      return data[0]?.status === 'pending' && data[0].attempts === 1 ? data[0] : null;
    });
    expect(Date.parse(pending.nextAttemptAt) - Date.now()).toBeGreaterThan(3000 * 1000);
    const canceled = await server.request('DELETE', `/v1/deliveries/${pending.id}`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', nextAttemptAt: null });
    const again = await server.request('DELETE', `/v1/deliveries/${pending.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('keeps only the first 4 KiB of a response body', async () => {
    receiver.script('/chatty', [{ status: 200, body: 'y'.repeat(10_000) }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/chatty`, eventTypes: ['job.done'] });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 9 } });
    const delivery = await waitFor(async () => {
      const [d] = (await server.request('GET', `/v1/deliveries?eventId=${id}&endpointId=${endpoint.id}`)).body.data;
      return d?.status === 'succeeded' ? d : null;
    });
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt!.responseBody).toHaveLength(4096);
  });

  it('waits as long as a 429 asks with Retry-After', async () => {
    receiver.script('/throttled', [{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    await createEndpoint(server, { url: `${receiver.url}/throttled`, eventTypes: ['job.done'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    const { id } = await postEvent(server, { type: 'job.done', payload: { job: 10 } });
    await waitFor(() => receiver.requestsTo('/throttled').length === 2, { what: 'the retry after Retry-After' });
    const [first, second] = receiver.requestsTo('/throttled');
    // The schedule said 1 s; the receiver asked for 2.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1900);
    expect(id).toBeDefined();
  });
});
