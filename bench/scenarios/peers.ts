import { randomBytes } from 'node:crypto';
import { generateSecret } from '../../src/domain/signing.js';
import { measureSubjectDelivery, warmUpSubject, type BenchContext, type DeliveryMeasurement } from '../context.js';
import { PeerProcess } from '../peers/peer-process.js';
import type { PeerName } from '../peers/peer-sender.js';
import { freshPeerStore, type PeerStore } from '../peers/peer-stores.js';

export { missingPeerServices } from '../peers/peer-stores.js';
import { BATCH_POSTERS, BATCH_SIZE } from '../sizes.js';
import { measurePacedLatency, type LatencyFigures } from './latency.js';

// 7. Peers (--peers): what a team would build instead of hookd, a webhook sender on a job queue
// (graphile-worker on the same PostgreSQL, BullMQ on the machine's Redis), measured like hookd on
// the same receiver with the same signed 1 KiB bodies: one-endpoint throughput with events handed
// over in batches of 100 (addJobs / addBulk, four calls at once) at hookd's per-endpoint
// concurrency, and time to first attempt at the latency run's rate, from each add_job returning.

export interface PeerDelivery extends Omit<DeliveryMeasurement, 'hookdCpuMicrosPerDelivery' | 'databaseCpuMicrosPerDelivery'> {
  /** 'PostgreSQL' or 'Redis'. */
  server: string;
  /** CPU time of the peer's process (its enqueueing and its workers) per delivery. */
  senderCpuMicrosPerDelivery: number | null;
  /** CPU time of its PostgreSQL database or of the Redis server per delivery. */
  serverCpuMicrosPerDelivery: number | null;
}

/** Runs `body` against a new peer process on a fresh store of its own, removed afterwards. */
async function withPeer<T>(ctx: BenchContext, peer: PeerName, concurrency: number, body: (sender: PeerProcess, store: PeerStore) => Promise<T>): Promise<T> {
  const store = await freshPeerStore(peer);
  try {
    const sender = await PeerProcess.start({ peer, connection: store.connection, queueName: store.queueName, concurrency, secret: generateSecret() });
    try {
      await ctx.receiver.reset();
      return await body(sender, store);
    } finally {
      await sender.stop();
    }
  } finally {
    await store.drop();
  }
}

export async function measurePeerThroughput(ctx: BenchContext, peer: PeerName, concurrency: number, events: number): Promise<PeerDelivery> {
  return withPeer(ctx, peer, concurrency, async (sender, store) => {
    const group = `peer-${peer}-${randomBytes(3).toString('hex')}`;
    const url = ctx.receiver.url('count', group);
    const subject = {
      batches: (firstSeq: number, count: number) => () => sender.enqueueBatches(url, firstSeq, count, BATCH_SIZE, BATCH_POSTERS),
      cpuSeconds: () => sender.cpuSeconds(),
      databaseCpuSeconds: () => store.serverCpuSeconds(),
    };
    await warmUpSubject(ctx, subject, [group]);
    const { hookdCpuMicrosPerDelivery, databaseCpuMicrosPerDelivery, ...measured } = await measureSubjectDelivery(ctx, subject, [group], events);
    return { ...measured, server: store.server, senderCpuMicrosPerDelivery: hookdCpuMicrosPerDelivery, serverCpuMicrosPerDelivery: databaseCpuMicrosPerDelivery };
  });
}

export async function measurePeerLatency(ctx: BenchContext, peer: PeerName, concurrency: number, ratePerSecond: number): Promise<LatencyFigures> {
  return withPeer(ctx, peer, concurrency, (sender) =>
    measurePacedLatency(ctx, ratePerSecond, {
      pace: (firstSeq, durationMs) => sender.enqueuePaced(ctx.receiver.url('lat', 'lat'), firstSeq, ratePerSecond, durationMs),
      cpuSeconds: () => sender.cpuSeconds(),
    }),
  );
}
