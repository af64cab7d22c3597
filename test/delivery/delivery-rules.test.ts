import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Delivery rules beyond the retry schedule: operational events, auto-disable, rate limits.

describe('delivery rules', () => {
  let server: TestServer;
  let receiver: Receiver;
  /** Added to the real time: lets a test jump five days ahead. */
  let offsetMs = 0;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([
      startServer({}, undefined, { now: () => Date.now() + offsetMs }),
      startReceiver(),
    ]);
    await createEventTypes(server, 'fax.sent', 'tick');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('emits hookd.delivery.failed when retries are exhausted, to endpoints that subscribe to it', async () => {
    receiver.script('/broken', [{ status: 500 }]);
    const alerts = await createEndpoint(server, { url: `${receiver.url}/alerts`, eventTypes: ['hookd.delivery.failed'] });
    const catchAll = await createEndpoint(server, { url: `${receiver.url}/catch-all`, eventTypes: ['*'] });
    const broken = await createEndpoint(server, {
      url: `${receiver.url}/broken`,
      eventTypes: ['fax.sent'],
      retry: { schedule: 'custom', delaysSeconds: [1] },
    });
    const { id } = await postEvent(server, { type: 'fax.sent', payload: { faxId: 9 } });
    const alert = await waitFor(() => receiver.requestsTo('/alerts')[0], { what: 'the hookd.delivery.failed alert' });
    const body = JSON.parse(alert.body);
    expect(body.type).toBe('hookd.delivery.failed');
    expect(body.data).toMatchObject({ eventId: id, eventType: 'fax.sent', endpointId: broken.id, attempts: 2, lastStatusCode: 500 });
    // `*` does not include hookd's own events.
    expect(receiver.requestsTo('/catch-all').some((r) => r.body.includes('hookd.delivery.failed'))).toBe(false);
    expect(alerts.id).not.toBe(catchAll.id);
  });

  it('never emits an operational event about the delivery of an operational event', async () => {
    receiver.script('/alerts-broken', [{ status: 500 }]);
    await createEndpoint(server, {
      url: `${receiver.url}/alerts-broken`,
      eventTypes: ['hookd.*'],
      retry: { enabled: false },
    });
    receiver.script('/fails-once', [{ status: 500 }]);
    await createEndpoint(server, { url: `${receiver.url}/fails-once`, eventTypes: ['tick'], retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 1 } });
    await postEvent(server, { type: 'tick', payload: {} });
    await waitFor(() => receiver.requestsTo('/alerts-broken').length >= 1);
    // The alert's own failed delivery (retry off ⇒ dropped, and exhausted alerts are never reported) stays silent.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const types = receiver.requestsTo('/alerts-broken').map((r) => JSON.parse(r.body).type);
    expect(types.every((type) => type === 'hookd.delivery.failed')).toBe(true);
    expect(types.length).toBe(receiver.requestsTo('/fails-once').length);
  });

  it('disables an endpoint that has failed every attempt for 5 days, and says so', async () => {
    // 400s: failures for auto-disable, but not for the circuit breaker (which would pause the
    // endpoint after five 5xx and spread the other attempts over minutes).
    receiver.script('/dying', [{ status: 400 }]);
    const listener = await createEndpoint(server, { url: `${receiver.url}/disabled-alerts`, eventTypes: ['hookd.endpoint.disabled'] });
    const dying = await createEndpoint(server, { url: `${receiver.url}/dying`, eventTypes: ['fax.sent'], retry: { enabled: false } });
    for (let i = 0; i < 10; i++) await postEvent(server, { type: 'fax.sent', payload: { i } });
    await waitFor(() => receiver.requestsTo('/dying').length === 10, { what: '10 failed attempts' });
    await waitFor(async () => (await server.request('GET', `/v1/endpoints/${dying.id}/stats`)).body.lastHour.attempts.failed === 10, {
      what: '10 failures recorded',
    });

    expect(await server.hookd.autoDisable!.runOnce()).toEqual([]);
    // Five days later (the alert is published then too, so the clock stays ahead until it arrives).
    offsetMs = 5 * 24 * 3600 * 1000 + 60_000;
    try {
      const disabled = await server.hookd.autoDisable!.runOnce();
      expect(disabled.map((e) => e.id)).toContain(dying.id);
      // Every endpoint failing that long is disabled and announced (here also /broken, which hears fax.sent too).
      const alert = await waitFor(
        () => receiver.requestsTo('/disabled-alerts').find((r) => JSON.parse(r.body).data.endpointId === dying.id),
        { what: 'the endpoint.disabled alert' },
      );
      expect(JSON.parse(alert.body)).toMatchObject({ type: 'hookd.endpoint.disabled', data: { url: dying.url } });
    } finally {
      offsetMs = 0;
    }
    const after = (await server.request('GET', `/v1/endpoints/${dying.id}`)).body;
    expect(after.active).toBe(false);
    expect(after.disabledReason).toMatch(/^auto: failing since \d{4}-/);
    expect(listener.id).toBeDefined();
  });

  it('a success ends a run of failures: no auto-disable', async () => {
    receiver.script('/recovering', (_request, index) => (index === 10 ? { status: 200 } : { status: 400 }));
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/recovering`, eventTypes: ['tick'], retry: { enabled: false } });
    for (let i = 0; i < 11; i++) await postEvent(server, { type: 'tick', payload: { i } });
    await waitFor(async () => (await server.request('GET', `/v1/endpoints/${endpoint.id}/stats`)).body.lastHour.attempts.total >= 11);
    offsetMs = 6 * 24 * 3600 * 1000;
    try {
      expect((await server.hookd.autoDisable!.runOnce()).map((e) => e.id)).not.toContain(endpoint.id);
    } finally {
      offsetMs = 0;
    }
  });

  it('holds attempts to an endpoint to its rateLimitPerSecond', async () => {
    await createEndpoint(server, { url: `${receiver.url}/paced`, eventTypes: ['tick'], rateLimitPerSecond: 5 });
    await server.request('POST', '/v1/events/batch', { events: Array.from({ length: 10 }, (_, i) => ({ type: 'tick', payload: { i } })) });
    await waitFor(() => receiver.requestsTo('/paced').length === 10, { timeoutMs: 15_000 });
    const times = receiver.requestsTo('/paced').map((r) => r.receivedAt);
    // 10 attempts at 5 per second take 9 intervals of 200 ms (1.8 s); unlimited they take a few ms.
    // The margin absorbs a loaded machine's jitter in when each request is seen.
    expect(times[9]! - times[0]!).toBeGreaterThanOrEqual(1400);
  });
});
