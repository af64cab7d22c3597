import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/delivery/dns-guard.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The URL guard's connect-time half, end to end: a name is saved (no lookup on save), and the
// attempt fails with url_not_allowed when the name resolves to an address the guard refuses —
// whatever the family, and whichever of several answers. The test answers DNS itself, so no lookup
// leaves the machine, and it answers only loopback addresses: were the guard broken, the attempt
// would go to this machine (and fail differently), never to another address.

const answers: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
  'loopback.hooks.test': [{ address: '127.0.0.1', family: 4 }],
  'v6-loopback.hooks.test': [{ address: '::1', family: 6 }],
  'two-answers.hooks.test': [
    { address: '127.0.0.2', family: 4 },
    { address: '::1', family: 6 },
  ],
};
const resolve: Resolver = async (hostname) => answers[hostname] ?? [];

describe('URL guard at connect time', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' }, undefined, undefined, undefined, { resolve });
    await createEventTypes(server, 'probe.sent');
  });
  afterAll(async () => server?.close());

  it.each(Object.keys(answers))('fails the attempt to %s with url_not_allowed, as final', async (host) => {
    const endpoint = await createEndpoint(server, { url: `http://${host}/hook`, eventTypes: ['probe.sent'], retry: { enabled: false } });
    const { id } = await postEvent(server, { type: 'probe.sent', payload: { host } });
    const delivery = await waitFor(async () => {
      const [found] = (await server.request('GET', `/v1/deliveries?eventId=${id}&endpointId=${endpoint.id}`)).body.data;
      return found?.status === 'dropped' || found?.status === 'failed' ? found : null;
    });
    const attempts = (await server.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: 'url_not_allowed' });
  });
});
