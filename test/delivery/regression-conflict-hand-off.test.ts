import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// A batch refused with 409 (an id reused after the idempotency window) is rolled back whole. Its
// other events must not be delivered: new deliveries are handed to the local worker at commit,
// and the store's answer for a rolled-back call still says `created` for them.

describe('regression: a batch rolled back by a conflict sends nothing', () => {
  let server: TestServer;
  let receiver: Receiver;
  let offsetMs = 0;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({}, undefined, { now: () => Date.now() + offsetMs });
    await createEventTypes(server, 'inbound_fax');
    await createEndpoint(server, { url: `${receiver.url}/fax`, eventTypes: ['inbound_fax'] });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const received = (n: number) => receiver.requests.filter((request) => JSON.parse(request.body).data.n === n).length;

  it('delivers none of the events of a 409 batch, and the next event as usual', async () => {
    expect((await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { n: 1 }, id: 'fax-old' })).status).toBe(202);
    await waitFor(() => received(1) === 1);
    offsetMs = 25 * 3600 * 1000;

    const batch = await server.request('POST', '/v1/events/batch', {
      events: [
        { type: 'inbound_fax', payload: { n: 2 }, id: 'fax-new' },
        { type: 'inbound_fax', payload: { n: 3 } },
        { type: 'inbound_fax', payload: { n: 4 }, id: 'fax-old' },
      ],
    });
    expect(batch.status).toBe(409);
    // Posted after the refused batch: once it arrives, anything of the batch would have too.
    expect((await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { n: 5 } })).status).toBe(202);
    await waitFor(() => received(5) === 1);
    // Its result is written a moment after the receiver answered (results are batched).
    await waitFor(async () => (await server.request('GET', '/v1/deliveries?status=succeeded')).body.data.length === 2);
    expect([received(2), received(3), received(4)]).toEqual([0, 0, 0]);
    expect((await server.request('GET', '/v1/deliveries?status=sending')).body.data).toEqual([]);
  });
});
