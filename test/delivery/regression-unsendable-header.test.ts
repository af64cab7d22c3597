import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// An emoji or a line break in payload text placed in a header by a template used to make the HTTP
// client refuse the request, and the delivery was lost. Now it is made sendable and delivered.
describe('a templated header whose output the HTTP client would refuse', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'call.started');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('is delivered with the emoji percent-encoded as UTF-8 and the line break removed', async () => {
    await createEndpoint(server, {
      url: `${receiver.url}/caller`,
      eventTypes: ['call.started'],
      headers: { 'X-Caller': '{{data.from}}', 'X-Note': '{{data.note}}' },
    });
    const { id } = await postEvent(server, { type: 'call.started', payload: { from: 'Zoë 📞', note: 'a\r\nX-Injected: 1' } });
    const request = await waitFor(() => receiver.requestsTo('/caller')[0], { what: 'the delivery' });
    // Node's parser reads header bytes as Latin-1: ë arrives as itself, the emoji as its UTF-8 escapes.
    expect(request.headers['x-caller']).toBe('Zoë %F0%9F%93%9E');
    expect(request.headers['x-note']).toBe('aX-Injected: 1');
    expect(request.headers['x-injected']).toBeUndefined();
    await waitFor(async () => {
      const [d] = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data;
      return d?.status === 'succeeded';
    }, { what: 'the delivery succeeded' });
  });
});
