import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('retention', () => {
  let server: TestServer;
  let receiver: Receiver;
  let offsetMs = 0;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([
      startServer({ HOOKD_RETENTION_DAYS: '30' }, undefined, { now: () => Date.now() + offsetMs }),
      startReceiver(),
    ]);
    await createEventTypes(server, 'old.news');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('purges events, deliveries and attempts (and their stats rollups) older than HOOKD_RETENTION_DAYS, and keys expired that long ago, and keeps newer ones', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/archive`, eventTypes: ['old.news'] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await postEvent(server, { type: 'old.news', payload: { i } })).id);
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&status=succeeded`)).body.data.length === 3);
    const deliveryId = (await server.request('GET', `/v1/deliveries?eventId=${ids[0]}`)).body.data[0].id;

    expect(await server.hookd.retention!.runOnce()).toEqual({ events: 0, deliveries: 0, attempts: 0, operations: 0, keys: 0, rollups: 0 });
    const portal = await server.request('POST', '/v1/accounts/acme/portal-sessions', { ttlSeconds: 60 });
    expect(portal.status).toBe(201);
    offsetMs = 31 * 86_400_000;
    try {
      const recent = await postEvent(server, { type: 'old.news', payload: { fresh: true } });
      const purged = await server.hookd.retention!.runOnce();
      expect(purged).toMatchObject({ events: 3, deliveries: 3, attempts: 3, keys: 1 });
      // The endpoint's stats rollups of those minutes go with the attempts they sum.
      expect(purged.rollups).toBeGreaterThanOrEqual(1);
      const keys = (await server.request('GET', '/v1/keys?limit=250')).body.data.map((key: { id: string }) => key.id);
      expect(keys).not.toContain(portal.body.keyId);
      expect(keys.length).toBeGreaterThan(0);
      expect((await server.request('GET', `/v1/events/${ids[0]}`)).status).toBe(404);
      expect((await server.request('GET', `/v1/deliveries/${deliveryId}`)).status).toBe(404);
      expect((await server.request('GET', `/v1/events/${recent.id}`)).status).toBe(200);
    } finally {
      offsetMs = 0;
    }
  });
});
