import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Two nodes on one PostgreSQL database both sweep for endpoints that have failed for 5 days: the
// endpoint is disabled, and announced with hookd.endpoint.disabled, once — not once per node.

describe('auto-disable with several nodes', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let nodes: TestServer[] = [];
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
    nodes = [await startServer({ HOOKD_DATABASE_URL: database.url }, undefined, clock)];
    nodes.push(await startServer({ HOOKD_DATABASE_URL: database.url, HOOKD_ADMIN_KEY: nodes[0]!.adminKey }, undefined, clock));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await receiver?.close();
    await database?.drop();
  });

  it('disables and announces a failing endpoint once although both nodes sweep at the same moment', async () => {
    const [first, second] = nodes as [TestServer, TestServer];
    await first.request('POST', '/v1/event-types', { name: 'fax.sent' });
    // 400s: failures for auto-disable, not for the circuit breaker (which would pause it after five 5xx).
    receiver.script('/dying', [{ status: 400 }]);
    const listener = await createEndpoint(first, { url: `${receiver.url}/alerts`, eventTypes: ['hookd.endpoint.disabled'] });
    const dying = await createEndpoint(first, { url: `${receiver.url}/dying`, eventTypes: ['fax.sent'], retry: { enabled: false } });
    for (let i = 0; i < 10; i++) await postEvent(i % 2 === 0 ? first : second, { type: 'fax.sent', payload: { i } });
    await waitFor(async () => (await first.request('GET', `/v1/endpoints/${dying.id}/stats`)).body.lastHour.attempts.failed === 10, {
      what: '10 failures recorded (the rule needs 10)',
    });

    offsetMs = 5 * 24 * 3600 * 1000 + 60_000;
    try {
      const [byFirst, bySecond] = await Promise.all([first.hookd.autoDisable!.runOnce(), second.hookd.autoDisable!.runOnce()]);
      const disabled = [...byFirst, ...bySecond].map((endpoint) => endpoint.id);
      expect(disabled.filter((id) => id === dying.id)).toHaveLength(1);
      await waitFor(() => receiver.requestsTo('/alerts').some((r) => JSON.parse(r.body).data.endpointId === dying.id), {
        what: 'the endpoint.disabled alert',
      });
      // Time for a second announcement to arrive, had either node sent one.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      offsetMs = 0;
    }
    const alerts = receiver.requestsTo('/alerts').filter((r) => JSON.parse(r.body).data.endpointId === dying.id);
    expect(alerts).toHaveLength(1);
    expect(listener.id).not.toBe(dying.id);
    expect((await second.request('GET', `/v1/endpoints/${dying.id}`)).body.active).toBe(false);
  });
});
