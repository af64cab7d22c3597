import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, deliveriesOf, postEvent } from '../support/fixtures.js';
import {
  deliveryStatuses,
  expectedToSucceed,
  ORDERED_RETRY,
  orderViolations,
  payloadOf,
  postNumbered,
  scriptRandomFailures,
} from '../support/fifo-order.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Ordered delivery on one node (README "Ordered delivery"): a `fifo` endpoint attempts the
// deliveries of one ordering key one at a time, in ingest order, whatever the receiver answers.

const SEED = 16;
const FAIL_RATE = 0.2;
const EVENTS = 1000;
const KEYS = 20;

describe('ordered delivery', () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ HOOKD_ENDPOINT_CONCURRENCY: '64' });
    await createEventTypes(server, 'order.placed', 'order.shipped');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('delivers 1,000 events over 20 keys one at a time per key, in ingest order, to a receiver failing at random, losing none', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/ordered`, eventTypes: ['order.placed'], ordering: 'fifo', retry: ORDERED_RETRY });
    expect(endpoint.ordering).toBe('fifo');
    const statuses = scriptRandomFailures(receiver, '/ordered', SEED, FAIL_RATE, 3);
    const numbers = new Map<string, number>();
    await postNumbered([server], 'order.placed', { from: 0, to: EVENTS, keys: KEYS, batch: 100 }, numbers);

    const final = new Set(['succeeded', 'failed']);
    await waitFor(async () => [...(await deliveryStatuses(server, endpoint.id)).values()].every((status) => final.has(status)), {
      timeoutMs: 240_000,
      intervalMs: 500,
      what: 'every delivery ended',
    });
    const requests = receiver.requestsTo('/ordered');
    expect(orderViolations(requests, statuses)).toEqual([]);
    // Nothing lost: each event ended as its attempts' answers say (a retry per failure, four attempts at most).
    const ended = await deliveryStatuses(server, endpoint.id);
    expect(ended.size).toBe(EVENTS);
    const succeeded = [...ended].filter(([, status]) => status === 'succeeded').map(([id]) => numbers.get(id)!);
    const expected = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => expectedToSucceed(SEED, n, FAIL_RATE));
    expect(succeeded.sort((a, b) => a - b)).toEqual(expected);
    expect(new Set(requests.filter((request) => statuses.get(request) === 200).map((request) => payloadOf(request).n)).size).toBe(expected.length);
    // The seed makes some deliveries fail for good: the key went on after them.
    expect(expected.length).toBeLessThan(EVENTS);
  }, 300_000);

  it('shows what a waiting delivery waits for, lets it go when the one before is canceled, and releases a key switched to unordered', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/held`, eventTypes: ['order.shipped'], ordering: 'fifo', retry: { schedule: 'custom', delaysSeconds: [3600] } });
    receiver.script('/held', [{ status: 500 }, { status: 200 }]);
    const first = await postEvent(server, { type: 'order.shipped', orderingKey: 'order-1', payload: { step: 1 } });
    const second = await postEvent(server, { type: 'order.shipped', orderingKey: 'order-1', payload: { step: 2 } });
    const third = await postEvent(server, { type: 'order.shipped', orderingKey: 'order-1', payload: { step: 3 } });
    const [firstDelivery] = await waitFor(
      async () => {
        const found = await deliveriesOf(server, first.id);
        return found[0]?.attempts === 1 ? found : null;
      },
      { what: 'the first attempt failed' },
    );
    const [secondDelivery] = await deliveriesOf(server, second.id);
    const [thirdDelivery] = await deliveriesOf(server, third.id);
    // The first waits an hour for its retry; the second waits for it, the third for the second.
    expect(secondDelivery).toMatchObject({ status: 'pending', blockedBy: firstDelivery!.id, nextAttemptAt: null });
    expect(thirdDelivery).toMatchObject({ status: 'pending', blockedBy: secondDelivery!.id });
    // Operators see them in the queue's depth.
    expect(await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text()).toMatch(/^hookd_queue_depth\{state="waiting"\} 2$/m);
    expect((await server.request('GET', `/v1/events/${second.id}`)).body.orderingKey).toBe('order-1');
    const retry = await server.request('POST', `/v1/deliveries/${secondDelivery!.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.error.message).toContain(firstDelivery!.id);

    expect((await server.request('DELETE', `/v1/deliveries/${firstDelivery!.id}`)).status).toBe(200);
    await waitFor(async () => (await deliveriesOf(server, second.id))[0]?.status === 'succeeded', { what: 'the second delivered' });
    // The second succeeded, so the third went next.
    await waitFor(async () => (await deliveriesOf(server, third.id))[0]?.status === 'succeeded', { what: 'the third delivered' });
    expect(receiver.requestsTo('/held').map((request) => JSON.parse(request.body).data.step)).toEqual([1, 2, 3]);

    // A key held by an hour's retry, then the endpoint switched to unordered: the waiting one goes at once.
    receiver.script('/held', [{ status: 500 }, { status: 200 }]);
    const stuck = await postEvent(server, { type: 'order.shipped', orderingKey: 'order-2', payload: { step: 4 } });
    const waiting = await postEvent(server, { type: 'order.shipped', orderingKey: 'order-2', payload: { step: 5 } });
    await waitFor(async () => (await deliveriesOf(server, stuck.id))[0]?.attempts === 1, { what: 'the first attempt failed' });
    expect((await deliveriesOf(server, waiting.id))[0]?.blockedBy).not.toBeNull();
    const patched = await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { ordering: 'none' });
    expect(patched.body.ordering).toBe('none');
    await waitFor(async () => (await deliveriesOf(server, waiting.id))[0]?.status === 'succeeded', { what: 'the released one delivered' });
    expect((await deliveriesOf(server, stuck.id))[0]?.status).toBe('pending');
  }, 60_000);

  it('refuses an ordering key that is empty or too long, and an unknown ordering, naming the field', async () => {
    const empty = await server.request('POST', '/v1/events', { type: 'order.placed', orderingKey: '', payload: {} });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('orderingKey');
    const long = await server.request('POST', '/v1/events/batch', { events: [{ type: 'order.placed', orderingKey: 'k'.repeat(129), payload: {} }] });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('/events/0/orderingKey');
    const ordering = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/x`, ordering: 'lifo' });
    expect(ordering.status).toBe(400);
    expect(JSON.stringify(ordering.body)).toContain('ordering');
  });
});
