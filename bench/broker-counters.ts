import { randomBytes } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { Redis } from 'ioredis';
import { connect as natsConnect } from 'nats';

// The destinations scenario's brokers (the machine's, on loopback unless HOOKD_BENCH_*_URL says
// otherwise): for each, a target of the bench's own making — a RabbitMQ exchange with a queue bound
// to it, a JetStream stream, a Redis stream — the endpoint `destination` that publishes to it, and
// how many messages it holds so far. Counting at the broker is what "delivered" means for a broker
// destination: hookd's attempt succeeded only once the broker acknowledged the message.

export type BrokerName = 'rabbitmq' | 'nats' | 'redis';
export const BROKERS: readonly BrokerName[] = ['rabbitmq', 'nats', 'redis'];
export const BROKER_LABELS: Record<BrokerName, string> = { rabbitmq: 'RabbitMQ', nats: 'NATS JetStream', redis: 'Redis Streams' };

export const BROKER_URLS: Record<BrokerName, string> = {
  rabbitmq: process.env.HOOKD_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  nats: process.env.HOOKD_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.HOOKD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export interface BrokerCounter {
  /** The endpoint's `url` and `destination`. */
  url: string;
  destination: Record<string, unknown>;
  /** Messages the target holds. */
  count(): Promise<number>;
  /** Removes the target and closes the connection. */
  close(): Promise<void>;
}

/** A fresh target at `broker`; throws when the broker cannot be reached. */
export function openCounter(broker: BrokerName): Promise<BrokerCounter> {
  const name = `hookd-bench-${randomBytes(4).toString('hex')}`;
  switch (broker) {
    case 'rabbitmq':
      return rabbitmqCounter(name);
    case 'nats':
      return natsCounter(name);
    case 'redis':
      return redisCounter(name);
  }
}

/** Which brokers answer, and why the others do not: the scenario leaves those out, saying so. */
export async function reachableBrokers(): Promise<{ reachable: BrokerName[]; missing: string[] }> {
  const reachable: BrokerName[] = [];
  const missing: string[] = [];
  for (const broker of BROKERS) {
    try {
      const counter = await openCounter(broker);
      await counter.close();
      reachable.push(broker);
    } catch (error) {
      missing.push(`${BROKER_LABELS[broker]} at ${BROKER_URLS[broker].replace(/\/\/[^@/]*@/, '//')} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { reachable, missing };
}

async function rabbitmqCounter(name: string): Promise<BrokerCounter> {
  const connection = await amqpConnect(BROKER_URLS.rabbitmq, { timeout: 3000 });
  const channel = await connection.createChannel();
  // Durable, like a production binding: the messages hookd publishes are persistent.
  await channel.assertExchange(name, 'topic', { durable: true });
  await channel.assertQueue(name, { durable: true });
  await channel.bindQueue(name, name, '#');
  return {
    url: BROKER_URLS.rabbitmq,
    destination: { type: 'rabbitmq', exchange: name, routingKey: '{{event.type}}' },
    count: async () => (await channel.checkQueue(name)).messageCount,
    async close() {
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
      await connection.close();
    },
  };
}

async function natsCounter(name: string): Promise<BrokerCounter> {
  const connection = await natsConnect({ servers: BROKER_URLS.nats, timeout: 3000, reconnect: false });
  try {
    const manager = await connection.jetstreamManager();
    // A file-backed stream, JetStream's default: what a production stream would be.
    await manager.streams.add({ name, subjects: [`${name}.>`] });
    return {
      url: BROKER_URLS.nats,
      destination: { type: 'nats', subject: `${name}.{{event.type}}` },
      count: async () => (await manager.streams.info(name)).state.messages,
      async close() {
        await manager.streams.delete(name);
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function redisCounter(name: string): Promise<BrokerCounter> {
  const redis = new Redis(BROKER_URLS.redis, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // A refused connection rejects connect(), which reports it: the error event would say it again.
  redis.on('error', () => undefined);
  await redis.connect();
  return {
    url: BROKER_URLS.redis,
    // Trimmed well above what one run adds: the count is the whole run's.
    destination: { type: 'redis', stream: name, maxLen: 1_000_000 },
    count: () => redis.xlen(name),
    async close() {
      await redis.del(name);
      redis.disconnect();
    },
  };
}
