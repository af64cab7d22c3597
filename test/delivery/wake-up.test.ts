import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// A new event is attempted at once, not at the worker's next look at the queue: with the idle poll
// an hour away, only the hand-off at ingest (or the wake-up it sends) can start these deliveries.
// Likewise a retry is attempted at its time (the worker sets a timer for it), and so is the retry
// after it, which the worker learns of from the queue when the first timer fires.

const AN_HOUR = 3600_000;

describe('new work starts the worker without polling', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({}, undefined, undefined, undefined, { idlePollMs: AN_HOUR }), startReceiver()]);
    await createEventTypes(server, 'order.paid', 'order.retried');
    await createEndpoint(server, { url: `${receiver.url}/now`, eventTypes: ['order.paid'] });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('delivers a new event while the worker idles, and the next one too', async () => {
    // The worker has finished its start-up look at the queue and waits (for an hour, were it not woken).
    await server.hookd.claimLoopRan();
    for (const order of [1, 2]) {
      await postEvent(server, { type: 'order.paid', payload: { order } });
      await waitFor(() => receiver.requestsTo('/now').length === order, { timeoutMs: 10_000, what: `delivery of order ${order}` });
    }
    expect(receiver.requestsTo('/now').map((r) => JSON.parse(r.body).data.order)).toEqual([1, 2]);
  });

  it('makes each retry at its time, not at the next poll', async () => {
    receiver.script('/flaky', (_request, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    await createEndpoint(server, { url: `${receiver.url}/flaky`, eventTypes: ['order.retried'], retry: { schedule: 'custom', delaysSeconds: [1, 2] } });
    await server.hookd.claimLoopRan();
    await postEvent(server, { type: 'order.retried', payload: { order: 3 } });
    await waitFor(() => receiver.requestsTo('/flaky').length === 3, { timeoutMs: 15_000, what: 'the first attempt and two retries' });
    const [first, second, third] = receiver.requestsTo('/flaky').map((request) => request.receivedAt);
    // Not before their time (1 s, then 2 s after the failure before them), and long before the poll.
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
    expect(third! - second!).toBeGreaterThanOrEqual(2000);
  });

  it('starts a batch bigger than the worker takes at once, all of it', async () => {
    const events = Array.from({ length: 600 }, (_, i) => ({ type: 'order.paid', payload: { order: 100 + i } }));
    expect((await server.request('POST', '/v1/events/batch', { events: events.slice(0, 500) })).status).toBe(202);
    expect((await server.request('POST', '/v1/events/batch', { events: events.slice(500) })).status).toBe(202);
    await waitFor(() => receiver.requestsTo('/now').length === 602, { timeoutMs: 20_000, what: '600 more deliveries' });
  });
});
