import { expect } from 'vitest';
import { createEndpoint, createEventTypes } from './fixtures.js';
import type { Receiver } from './receiver.js';
import type { ApiClient } from './server.js';
import { waitFor } from './wait-for.js';

// Fair shares between accounts (issue 16), the scenario the single-node and the two-node tests
// share: account "noisy" has 20 endpoints to a receiver path that never answers and a burst of
// deliveries through every node; account "healthy"'s deliveries, posted after, must all arrive
// while noisy's requests are still held (before any of them times out). Run with 8 worker slots:
// without fair shares the 20 hanging endpoints take them all and healthy waits for the timeouts.

/** A's attempts time out long after the test has what it needs: an ended attempt of A means B waited for it. */
export const HANG_TIMEOUT_MS = 60_000;

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
