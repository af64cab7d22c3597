import type { Redis } from 'ioredis';
import type { BrokerMessage } from '../../domain/broker-message.js';
import type { BrokerDestination } from '../../domain/destination.js';
import type { AttemptErrorCode } from '../../domain/outcome.js';
import { loadOnFirstUse, type BrokerClient, type BrokerConnection, type ConnectTarget, type Published } from './broker-client.js';

// Redis Streams destinations with ioredis: XADD with `MAXLEN ~` (trimmed in whole nodes, cheap),
// the entry id in the reply is the success. The entry's fields are the message's headers
// (webhook-id, webhook-timestamp, webhook-signature, webhook-event-type, content-type and the
// endpoint's own), then `body`.

/** ioredis, loaded by the first Redis connection (broker-client.ts, loadOnFirstUse). */
const ioredis = loadOnFirstUse(() => import('ioredis'));

export const redisClient: BrokerClient = {
  async connect({ address, ip, timeoutMs }: ConnectTarget): Promise<BrokerConnection> {
    const { Redis } = await ioredis();
    const client = new Redis({
      host: ip,
      port: address.port,
      ...(address.username === null ? {} : { username: address.username }),
      ...(address.password === null ? {} : { password: address.password }),
      db: address.database,
      ...(address.tls ? { tls: { servername: address.host } } : {}),
      connectTimeout: timeoutMs,
      lazyConnect: true,
      // No reconnecting and no offline queue: a lost connection leaves the pool, and an attempt
      // never waits in a buffer for a broker that is down.
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectionName: 'hookd',
    });
    // Errors are the attempts' to report; without a listener ioredis logs each one. A refused AUTH
    // comes as an error event, and connect() then rejects with only "Connection is closed": the
    // event's error is the reason.
    let reason: Error | null = null;
    client.on('error', (error: Error) => (reason ??= error));
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw reason ?? error;
    }
    return new RedisPublisher(client);
  },
  classify: classifyRedisError,
};

class RedisPublisher implements BrokerConnection {
  constructor(private readonly client: Redis) {}

  onLost(listener: () => void): void {
    this.client.once('end', listener);
  }

  async publish(message: BrokerMessage, destination: BrokerDestination, _timeoutMs: number): Promise<Published> {
    const maxLen = destination.type === 'redis' ? destination.maxLen : null;
    const fields = [...Object.entries(message.headers).flat(), 'body', message.body];
    const trim = maxLen === null ? [] : ['MAXLEN', '~', String(maxLen)];
    const id = await this.client.xadd(message.target, ...trim, '*', ...fields);
    return { responseBody: id };
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  destroy(): void {
    this.client.disconnect();
  }
}

function classifyRedisError(error: unknown): AttemptErrorCode | null {
  const text = error instanceof Error ? error.message : String(error);
  // WRONGPASS (bad credentials), NOAUTH (none given, one required), "AUTH … called without any
  // password configured" (one given to a server without any), NOPERM (an ACL refuses XADD).
  if (/^(WRONGPASS|NOAUTH|NOPERM)|\bAUTH\b/.test(text)) return 'auth';
  if (/^(WRONGTYPE|OOM|ERR)/.test(text)) return 'rejected';
  // The connection went away under a command, or before it (ioredis keeps no offline queue).
  if (/^Connection is closed|^Stream isn't writeable/.test(text)) return 'connection_reset';
  return null;
}
