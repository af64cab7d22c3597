import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// HOOKD_AUTO_DISABLE_AFTER sets the auto-disable window. With 2 s, the server's own sweep (not a
// test calling it) disables an endpoint that has failed every attempt for 2 s, with 10 attempts.

describe('HOOKD_AUTO_DISABLE_AFTER', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_AUTO_DISABLE_AFTER: '2s' }), startReceiver()]);
    await createEventTypes(server, 'fax.sent');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('a 2 s window disables an always-failing endpoint once it has failed for 2 s', async () => {
    // 400s: failures for auto-disable, not for the circuit breaker (five 5xx would pause the endpoint
    // and spread its next attempts over minutes: its probes).
    receiver.script('/always-400', [{ status: 400 }]);
    receiver.script('/healthy', [{ status: 200 }]);
    const dying = await createEndpoint(server, { url: `${receiver.url}/always-400`, eventTypes: ['fax.sent'], retry: { enabled: false } });
    const healthy = await createEndpoint(server, { url: `${receiver.url}/healthy`, eventTypes: ['fax.sent'], retry: { enabled: false } });
    for (let i = 0; i < 10; i++) await postEvent(server, { type: 'fax.sent', payload: { i } });

    const disabled = await waitFor(
      async () => {
        const endpoint = (await server.request('GET', `/v1/endpoints/${dying.id}`)).body;
        return endpoint.active === false ? endpoint : null;
      },
      { timeoutMs: 30_000, what: 'the failing endpoint disabled by the sweep' },
    );
    const failingSince = /^auto: failing since (\S+)$/.exec(disabled.disabledReason)?.[1];
    expect(failingSince).toBeDefined();
    // Disabled no sooner than the window after its first failure.
    expect(Date.parse(disabled.updatedAt) - Date.parse(failingSince!)).toBeGreaterThanOrEqual(2000);
    expect(receiver.requestsTo('/always-400')).toHaveLength(10);
    expect((await server.request('GET', `/v1/endpoints/${healthy.id}`)).body.active).toBe(true);
  });
});
