import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBullmqSender } from '../../bench/peers/bullmq-sender.js';
import { startGraphileSender } from '../../bench/peers/graphile-sender.js';
import { PEERS, peerLabel, type PeerName, type PeerSender } from '../../bench/peers/peer-sender.js';
import { REDIS_URL, freshPeerStore, type PeerStore } from '../../bench/peers/peer-stores.js';
import { jobsFor } from '../../bench/peers/webhook-job.js';
import { generateSecret } from '../../src/domain/signing.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { waitFor } from '../support/wait-for.js';

// The bench's peers (`npm run bench -- --peers`) must really do what hookd does, or the comparison
// means nothing: each sends signed Standard Webhooks requests from its queue's workers, and a
// refused attempt is retried by the queue with the same webhook-id.

const START: Record<PeerName, typeof startGraphileSender> = { graphile: startGraphileSender, bullmq: startBullmqSender };

/** graphile-worker on a test database (HOOKD_TEST_POSTGRES_URL's server); BullMQ on a queue of the bench's own making. */
async function storeFor(peer: PeerName): Promise<Pick<PeerStore, 'connection' | 'queueName' | 'drop'>> {
  if (peer === 'bullmq') return freshPeerStore(peer);
  const database = await createTestDatabase();
  return { connection: database.url, queueName: '', drop: database.drop };
}

describe.each(PEERS.map((peer) => [peerLabel(peer), peer] as const))('the %s peer sender', (_label, peer) => {
  const secret = generateSecret();
  let receiver: Receiver;
  let store: Awaited<ReturnType<typeof storeFor>>;
  let sender: PeerSender;

  beforeAll(async () => {
    receiver = await startReceiver();
    store = await storeFor(peer);
    sender = await START[peer]({ peer, connection: store.connection, queueName: store.queueName, concurrency: 2, secret });
  });

  afterAll(async () => {
    await sender?.stop();
    await store?.drop();
    await receiver?.close();
  });

  it('delivers each job as a request the standardwebhooks verifier accepts, body and id intact', async () => {
    const jobs = jobsFor(`${receiver.url}/hooks`, 10, 3);
    await sender.enqueueMany(jobs.slice(0, 2));
    await sender.enqueue(jobs[2]!);
    const received = await waitFor(() => receiver.requestsTo('/hooks').length >= 3 && receiver.requestsTo('/hooks'), { what: 'three requests' });
    const verifier = new Webhook(secret);
    const bySeq = new Map(received.map((request) => [(verifier.verify(request.body, request.headers as Record<string, string>) as { data: { seq: number } }).data.seq, request]));
    expect([...bySeq.keys()].sort()).toEqual([10, 11, 12]);
    for (const job of jobs) {
      const request = bySeq.get(job.data.seq)!;
      expect(request.method).toBe('POST');
      expect(request.headers['webhook-id']).toBe(job.messageId);
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body)).toEqual({ type: job.type, timestamp: job.timestamp, data: job.data });
    }
    expect(Buffer.byteLength(received[0]!.body)).toBe(1024);
  });

  it('retries a refused delivery through the queue with the same webhook-id, each attempt signed', async () => {
    receiver.script('/flaky', [{ status: 503 }, { status: 200 }]);
    const [job] = jobsFor(`${receiver.url}/flaky`, 20, 1);
    await sender.enqueue(job!);
    // graphile-worker's first retry comes after e¹ ≈ 2.7 s, BullMQ's after 1 s.
    const attempts = await waitFor(() => receiver.requestsTo('/flaky').length >= 2 && receiver.requestsTo('/flaky'), { timeoutMs: 15_000, what: 'a retry' });
    const verifier = new Webhook(secret);
    for (const attempt of attempts) {
      expect(attempt.headers['webhook-id']).toBe(job!.messageId);
      expect(() => verifier.verify(attempt.body, attempt.headers as Record<string, string>)).not.toThrow();
    }
  });
});

describe('a BullMQ peer store', () => {
  it('leaves no key of its queue in Redis once dropped', async () => {
    const store = await freshPeerStore('bullmq');
    const sender = await startBullmqSender({ peer: 'bullmq', connection: store.connection, queueName: store.queueName, concurrency: 1, secret: generateSecret() });
    // A job that cannot be delivered stays in the queue (port 9: nothing listens).
    await sender.enqueue(jobsFor('http://127.0.0.1:9/nothing', 0, 1)[0]!);
    await sender.stop();
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`bull:${store.queueName}:*`)).not.toEqual([]);
      await store.drop();
      expect(await redis.keys(`bull:${store.queueName}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
