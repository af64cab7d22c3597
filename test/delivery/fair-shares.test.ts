import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type ApiClient, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Fair shares between accounts (issue 16): one account's hanging endpoints never hold every
// worker slot while another account has work. Account A has 20 endpoints to a receiver that never
// answers and a burst of deliveries; account B's deliveries must all arrive while A's requests are
// still held (before any of them times out). 8 slots and 20 hanging endpoints: without fair shares
// A takes all 8 and B waits for A's timeouts.

/** A's attempts time out long after the test has what it needs: an ended attempt of A means B waited for it. */
const HANG_TIMEOUT_MS = 60_000;

export async function noisyAccountDoesNotStarveAnother(nodes: ApiClient[], receiver: Receiver): Promise<void> {
  const [first] = nodes;
  await createEventTypes(first!, 'load.tick');
  const hanging: string[] = [];
  for (let i = 0; i < 20; i++) {
    receiver.script(`/noisy-${i}`, ['hang']);
    const endpoint = await createEndpoint(first!, {
      url: `${receiver.url}/noisy-${i}`,
      accountId: 'noisy',
      eventTypes: ['load.tick'],
      timeoutMs: HANG_TIMEOUT_MS,
    });
    hanging.push(endpoint.id);
  }
  await createEndpoint(first!, { url: `${receiver.url}/healthy`, accountId: 'healthy', eventTypes: ['load.tick'] });

  // A's burst first (20 events × 20 endpoints), through every node, then B's deliveries.
  for (const [index, node] of nodes.entries()) {
    const events = Array.from({ length: 20 }, (_, i) => ({ type: 'load.tick', accountId: 'noisy', payload: { node: index, i } }));
    expect((await node.request('POST', '/v1/events/batch', { events })).status).toBe(202);
  }
  const noisyHeld = () => receiver.requests.filter((request) => request.path.startsWith('/noisy-')).length;
  await waitFor(() => noisyHeld() >= 4 * nodes.length, { what: "the noisy account's attempts to hang on every node" });
  for (const [index, node] of nodes.entries()) {
    const events = Array.from({ length: 10 }, (_, i) => ({ type: 'load.tick', accountId: 'healthy', payload: { node: index, i } }));
    expect((await node.request('POST', '/v1/events/batch', { events })).status).toBe(202);
  }

  await waitFor(() => receiver.requestsTo('/healthy').length === 10 * nodes.length, {
    timeoutMs: 2 * HANG_TIMEOUT_MS,
    what: "every delivery of the healthy account",
  });
  // The order, not the clock: none of A's attempts had ended when B's were all in (an attempt
  // that timed out would be recorded, and a new request to its endpoint made).
  const ended = [];
  for (const endpointId of hanging) {
    const deliveries = (await first!.request('GET', `/v1/deliveries?endpointId=${endpointId}&limit=100`)).body.data as Array<{ attempts: number }>;
    ended.push(...deliveries.filter((delivery) => delivery.attempts > 0));
  }
  expect(ended).toEqual([]);
  // A's requests are still held, and A never had every slot: B's took some.
  expect(noisyHeld()).toBeGreaterThan(0);
  expect(noisyHeld()).toBeLessThan(8 * nodes.length);
}

describe('fair shares between accounts on one node', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_WORKER_CONCURRENCY: '8', HOOKD_ENDPOINT_CONCURRENCY: '4' }), startReceiver()]);
  });
  afterAll(async () => {
    // The receiver first: it ends the hanging requests, so shutdown need not wait for their timeout.
    await receiver?.close();
    await server?.close();
  });

  it("delivers another account's events while one account's 20 endpoints hang", async () => {
    await noisyAccountDoesNotStarveAnother([server], receiver);
  }, 3 * HANG_TIMEOUT_MS);
});
