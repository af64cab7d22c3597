import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, CLOSED_PORT, REDIS_URL, redisSuite, settledDelivery, streamEntryFields, testSend, uniqueName, verifiedBody } from '../../support/brokers.js';
import { createEndpoint, createEventTypes, postEvent } from '../../support/fixtures.js';
import type { TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait-for.js';

// Redis Streams destinations against the machine's Redis: XADD to a stream named from the event,
// trimmed with MAXLEN ~, read back with XRANGE and verified with the standardwebhooks library; a
// key of the wrong type, a wrong password (of a user the server does not have: it has no password
// of its own, and ioredis ignores a password a server does not ask for) and a closed port are each
// classified.

describe('Redis Streams destinations', () => {
  const prefix = uniqueName('hookd-test-');
  const suite = redisSuite(prefix, 'order.created');
  let server: TestServer;
  let redis: Redis;
  beforeAll(() => {
    server = suite.server();
    redis = suite.redis();
  });

  it('adds each delivery to the stream, signed, as the message headers and a body field', async () => {
    const endpoint = await createEndpoint(server, {
      url: REDIS_URL,
      eventTypes: ['order.created'],
      destination: { type: 'redis', stream: `${prefix}{{event.type}}`, maxLen: 1000 },
    });
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.destination).toEqual({ type: 'redis', stream: `${prefix}{{event.type}}`, maxLen: 1000, hasPassword: false });
    const { id } = await postEvent(server, { type: 'order.created', payload: { orderId: 10 } });
    const delivery = await settledDelivery(server, id, 'succeeded');

    const entries = await redis.xrange(`${prefix}order.created`, '-', '+');
    expect(entries).toHaveLength(1);
    const [entryId, flat] = entries[0]!;
    const { body, ...headers } = streamEntryFields(flat);
    expect(verifiedBody(endpoint.secret, headers, body!)).toMatchObject({ type: 'order.created', data: { orderId: 10 } });
    expect(headers['webhook-event-type']).toBe('order.created');

    const [attempt] = await attemptsOf(server, delivery.id);
    expect(attempt).toMatchObject({ statusCode: 202, error: null, requestMethod: 'XADD', requestUrl: `redis://127.0.0.1:6379/0#${prefix}order.created`, responseBody: entryId });
  });

  it('keeps about maxLen entries', async () => {
    const endpoint = await createEndpoint(server, { url: REDIS_URL, destination: { type: 'redis', stream: `${prefix}trimmed`, maxLen: 1 } });
    // Trimming with ~ removes whole nodes only: many more entries than a node holds (100) show it.
    for (let i = 0; i < 150; i++) await redis.xadd(`${prefix}trimmed`, '*', 'n', String(i));
    expect(await testSend(server, endpoint.id)).toMatchObject({ statusCode: 202 });
    expect(await redis.xlen(`${prefix}trimmed`)).toBeLessThan(151);
  });

  it('classifies a key of another type, a wrong password and a closed port', async () => {
    await redis.set(`${prefix}string`, 'not a stream');
    const wrongType = await createEndpoint(server, { url: REDIS_URL, destination: { type: 'redis', stream: `${prefix}string` } });
    const wrongPassword = await createEndpoint(server, { url: 'redis://hookd-nobody:not-the-password@127.0.0.1:6379/0', destination: { type: 'redis', stream: `${prefix}x` } });
    const closed = await createEndpoint(server, { url: `redis://127.0.0.1:${CLOSED_PORT}/0`, destination: { type: 'redis', stream: `${prefix}x` } });
    expect(await testSend(server, wrongType.id)).toMatchObject({ statusCode: null, error: 'rejected' });
    const refused = await testSend(server, wrongPassword.id);
    expect(refused).toMatchObject({ statusCode: null, error: 'auth' });
    expect(JSON.stringify(refused)).not.toContain('not-the-password');
    expect(await testSend(server, closed.id)).toMatchObject({ statusCode: null, error: 'connection_refused' });
  });

  it('opens the circuit breaker after consecutive failures, like an HTTP endpoint', async () => {
    await createEventTypes(server, 'order.lost');
    const down = await createEndpoint(server, {
      url: `redis://127.0.0.1:${CLOSED_PORT}/0`,
      eventTypes: ['order.lost'],
      destination: { type: 'redis', stream: `${prefix}down` },
      retry: { enabled: false },
    });
    await Promise.all(Array.from({ length: 5 }, (_, n) => postEvent(server, { type: 'order.lost', payload: { n } })));
    const state = await waitFor(async () => {
      const shown = (await server.request('GET', `/v1/endpoints/${down.id}`)).body.state;
      return shown.mode === 'paused' ? shown : null;
    }, { what: 'the breaker to open' });
    expect(state.reason).toBe('5 consecutive failures');
    // The breaker is written as the fifth failure is counted; that delivery's own end comes with the
    // next batch of finished deliveries, so it can still read as sending for a moment.
    const deliveries = await waitFor(async () => {
      const listed = (await server.request('GET', `/v1/deliveries?endpointId=${down.id}`)).body.data as { status: string; attempts: number; lastError: string }[];
      return listed.every((d) => d.status !== 'sending' && d.status !== 'pending') ? listed : null;
    }, { what: 'every delivery to end' });
    // Retries off: each delivery ends after its one attempt.
    expect(deliveries.map((d) => [d.status, d.attempts, d.lastError])).toEqual(
      Array(5).fill(['dropped', 1, 'connection_refused']),
    );
  });
});
