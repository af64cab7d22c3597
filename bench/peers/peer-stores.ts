import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { POSTGRES_ADMIN_URL, freshDatabase } from '../database.js';
import type { PeerName } from './peer-sender.js';

// Where each peer keeps its queue, made fresh for a run and removed after it: graphile-worker gets
// a new PostgreSQL database on the bench's server (its schema installed by graphile), BullMQ a new
// queue name on the machine's Redis. Each reports the CPU its server spent, as the bench does for
// hookd's PostgreSQL.

export const REDIS_URL = process.env.HOOKD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface PeerStore {
  /** What the peer connects to: a PostgreSQL or a Redis URL. */
  connection: string;
  /** BullMQ's queue name; unused by graphile-worker. */
  queueName: string;
  /** 'PostgreSQL' or 'Redis', for the table. */
  server: string;
  /**
   * CPU seconds its server has used so far: PostgreSQL's backends for this database; the whole
   * Redis process (it serves every client on the machine, so others' traffic during a run counts).
   */
  serverCpuSeconds(): Promise<number | null>;
  drop(): Promise<void>;
}

export async function freshPeerStore(peer: PeerName): Promise<PeerStore> {
  if (peer === 'graphile') {
    const database = await freshDatabase('postgres');
    return { connection: database.url, queueName: '', server: 'PostgreSQL', serverCpuSeconds: () => database.serverCpuSeconds(), drop: () => database.drop() };
  }
  const queueName = `hookd-bench-${randomBytes(6).toString('hex')}`;
  return {
    connection: REDIS_URL,
    queueName,
    server: 'Redis',
    serverCpuSeconds: () => withRedis(async (redis) => redisCpuSeconds(await redis.info('cpu'))),
    async drop() {
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue(queueName, { connection });
      try {
        await queue.obliterate({ force: true });
      } finally {
        await queue.close();
        connection.disconnect();
      }
    },
  };
}

/** used_cpu_sys + used_cpu_user of `INFO cpu`. */
export function redisCpuSeconds(info: string): number | null {
  const read = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
  const total = read('used_cpu_sys') + read('used_cpu_user');
  return Number.isFinite(total) ? total : null;
}

async function withRedis<T>(body: (redis: Redis) => Promise<T>): Promise<T> {
  // One try, no reconnecting: a Redis that does not answer is reported, not waited for.
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // connect() only says "Connection is closed."; the error event says why (ECONNREFUSED …).
  let cause: unknown = null;
  redis.on('error', (error) => void (cause ??= error));
  try {
    await redis.connect().catch((error: unknown) => {
      throw cause ?? error;
    });
    return await body(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * What the peers need and is not answering, as one line for the user, or null when both answer.
 * Checked before the run starts rather than minutes into it.
 */
export async function missingPeerServices(): Promise<string | null> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    problems.push(`PostgreSQL at ${POSTGRES_ADMIN_URL} (${describe(error)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
  try {
    await withRedis((redis) => redis.ping());
  } catch (error) {
    problems.push(`Redis at ${REDIS_URL} (${describe(error)})`);
  }
  return problems.length === 0 ? null : `--peers needs ${problems.join(' and ')}: not answering`;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}
