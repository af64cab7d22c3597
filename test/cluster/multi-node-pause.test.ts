import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// A receiver's 429 with Retry-After, answered to one node, pauses its endpoint on every node: the
// other node neither claims nor starts (handed over at ingest) the endpoint's deliveries until the
// pause ends, and the pause is announced once.

describe('endpoint pauses across nodes', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let nodes: TestServer[] = [];

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
    const start = { idlePollMs: 100 };
    nodes = [await startServer({ HOOKD_DATABASE_URL: database.url }, undefined, undefined, undefined, start)];
    nodes.push(await startServer({ HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: nodes[0]!.adminKey }, undefined, undefined, undefined, start));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await receiver?.close();
    await database?.drop();
  });

  it('holds the endpoint\'s deliveries on both nodes until the pause ends, then delivers them all', async () => {
    const [first, second] = nodes as [TestServer, TestServer];
    await first.request('POST', '/v1/event-types', { name: 'fax.sent' });
    receiver.script('/busy', (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const endpoint = await createEndpoint(first, { url: `${receiver.url}/busy`, eventTypes: ['fax.sent'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    await postEvent(first, { type: 'fax.sent', payload: { i: 0 } });
    const paused = await waitFor(async () => {
      const state = (await second.request('GET', `/v1/endpoints/${endpoint.id}`)).body.state;
      return state.mode === 'paused' ? state : null;
    }, { what: 'the endpoint paused, as the second node sees it' });
    for (let i = 1; i <= 6; i++) await postEvent(i % 2 === 0 ? first : second, { type: 'fax.sent', payload: { i } });

    await waitFor(async () => {
      const data = (await first.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body.data as Array<Record<string, Json>>;
      return data.length === 7 && data.every((d) => d.status === 'succeeded');
    }, { timeoutMs: 20_000, what: 'all 7 deliveries to succeed' });
    const requests = receiver.requestsTo('/busy');
    expect(requests).toHaveLength(8);
    for (const later of requests.slice(1)) expect(later.receivedAt).toBeGreaterThanOrEqual(Date.parse(paused.until));
    const announced = (await first.request('GET', '/v1/events?type=hookd.endpoint.paused&limit=100')).body.data as Array<Record<string, Json>>;
    expect(announced.filter((event) => event.payload.endpointId === endpoint.id)).toHaveLength(1);
  });
});
