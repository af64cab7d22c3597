import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisSuite, streamEntryFields, uniqueName, verifiedBody } from '../../support/brokers.js';
import { createEndpoint, deliveriesOf } from '../../support/fixtures.js';
import type { TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait-for.js';

// `fifo` ordering on a broker destination (issue 18: "same semantics as HTTP … fifo ordering"). The
// stream's key starts as a string, so every XADD fails (WRONGTYPE, classified `rejected`) and each
// key's chain stalls on its head; once the key is deleted, retries go through and the stream must
// hold each ordering key's events in ingest order, each once.

const KEYS = ['order-a', 'order-b', 'order-c', 'order-d'];
const PER_KEY = 15;

describe('ordered delivery to a broker destination', () => {
  const stream = uniqueName('hookd-test-ordered-');
  const suite = redisSuite(stream, 'order.step');
  let server: TestServer;
  let redis: Redis;
  beforeAll(() => {
    server = suite.server();
    redis = suite.redis();
  });

  it('publishes one delivery at a time per ordering key, in ingest order, through failures and retries', async () => {
    await redis.set(stream, 'not a stream yet');
    const endpoint = await createEndpoint(server, {
      url: REDIS_URL,
      eventTypes: ['order.step'],
      ordering: 'fifo',
      retry: { schedule: 'custom', delaysSeconds: [1, 1, 1, 1, 1, 1, 1, 1] },
      destination: { type: 'redis', stream },
    });
    // Interleaved over the keys, in one batch: ingest order is the batch's order.
    const events = Array.from({ length: KEYS.length * PER_KEY }, (_, i) => ({
      type: 'order.step',
      orderingKey: KEYS[i % KEYS.length],
      payload: { key: KEYS[i % KEYS.length], step: Math.floor(i / KEYS.length) },
    }));
    const posted = await server.request('POST', '/v1/events/batch', { events });
    expect(posted.status).toBe(202);

    // Every key's head has failed at least once while the rest of its chain waits behind it.
    const firstIds = (posted.body.data as { id: string }[]).slice(0, KEYS.length).map((event) => event.id);
    await waitFor(
      async () => {
        for (const id of firstIds) if (((await deliveriesOf(server, id))[0]?.attempts ?? 0) < 1) return null;
        return true;
      },
      { what: "each key's first delivery attempted" },
    );
    const secondOfFirstKey = (await deliveriesOf(server, (posted.body.data as { id: string }[])[KEYS.length]!.id))[0]!;
    expect(secondOfFirstKey).toMatchObject({ status: 'pending', attempts: 0 });
    expect(secondOfFirstKey.blockedBy).not.toBeNull();

    await redis.del(stream);
    await waitFor(async () => ((await redis.xlen(stream)) === events.length ? true : null), { timeoutMs: 60_000, what: 'every event in the stream' });

    const seen = new Map<string, number[]>();
    for (const [, flat] of await redis.xrange(stream, '-', '+')) {
      const { body, ...headers } = streamEntryFields(flat);
      const { data } = verifiedBody(endpoint.secret, headers, body!) as { data: { key: string; step: number } };
      seen.set(data.key, [...(seen.get(data.key) ?? []), data.step]);
    }
    const inOrder = Array.from({ length: PER_KEY }, (_, step) => step);
    for (const key of KEYS) expect(seen.get(key), key).toEqual(inOrder);
  }, 90_000);
});
