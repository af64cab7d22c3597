import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// A dead endpoint must not hold back healthy ones: per-endpoint lanes cap what one endpoint may
// have in flight, and what waits beyond that is handed back to the queue.

describe('a slow endpoint does not hold back healthy ones', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([
      startServer({ HOOKD_WORKER_CONCURRENCY: '16', HOOKD_ENDPOINT_CONCURRENCY: '4' }),
      startReceiver(),
    ]);
    await createEventTypes(server, 'load.tick');
  });
  afterAll(async () => {
    // The receiver first: it ends the hanging requests, so shutdown need not wait for their timeout.
    await receiver?.close();
    await server?.close();
  });

  it('delivers every event to the healthy endpoint while the dead one hangs', async () => {
    receiver.script('/dead', ['hang']);
    await createEndpoint(server, { url: `${receiver.url}/dead`, eventTypes: ['load.tick'], timeoutMs: 20_000 });
    await createEndpoint(server, { url: `${receiver.url}/healthy`, eventTypes: ['load.tick'] });

    const events = Array.from({ length: 100 }, (_, i) => ({ type: 'load.tick', payload: { i } }));
    const accepted = await server.request('POST', '/v1/events/batch', { events });
    expect(accepted.status).toBe(202);

    // Well within the dead endpoint's 20 s timeout: the healthy one was not waiting on it.
    await waitFor(() => receiver.requestsTo('/healthy').length === 100, { timeoutMs: 10_000, what: '100 healthy deliveries' });
    // The dead endpoint never had more than its lane's share in flight.
    expect(receiver.requestsTo('/dead').length).toBeLessThanOrEqual(4);
  });
});

describe('HOOKD_WORKER_CONCURRENCY bounds what one worker has in flight across endpoints', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([
      startServer({ HOOKD_WORKER_CONCURRENCY: '3', HOOKD_ENDPOINT_CONCURRENCY: '4' }),
      startReceiver(),
    ]);
    await createEventTypes(server, 'load.tick');
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  it('starts no more than 3 attempts while two endpoints, whose lanes would take 4 each, hang', async () => {
    receiver.script('/hang-a', ['hang']);
    receiver.script('/hang-b', ['hang']);
    await createEndpoint(server, { url: `${receiver.url}/hang-a`, eventTypes: ['load.tick'], timeoutMs: 20_000 });
    await createEndpoint(server, { url: `${receiver.url}/hang-b`, eventTypes: ['load.tick'], timeoutMs: 20_000 });
    const events = Array.from({ length: 10 }, (_, i) => ({ type: 'load.tick', payload: { i } }));
    expect((await server.request('POST', '/v1/events/batch', { events })).status).toBe(202);

    const inFlight = () => receiver.requestsTo('/hang-a').length + receiver.requestsTo('/hang-b').length;
    await waitFor(() => inFlight() === 3, { timeoutMs: 10_000, what: '3 hanging attempts' });
    // A worker that ignored the limit would have started more (each lane alone would allow 4) before
    // its claim loop went back to waiting.
    await server.hookd.claimLoopRan();
    expect(server.hookd.workerLoad()).toBe(3);
    expect(inFlight()).toBe(3);
  });
});
