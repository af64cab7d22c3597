import type { BrokerMessage } from '../../domain/broker-message.js';
import { brokerAddress, withPassword, type BrokerDestination, type BrokerType } from '../../domain/destination.js';
import { resolveGuarded, type Resolver } from '../dns-guard.js';
import { classifyError, type SendResult } from '../sender.js';
import type { BrokerClient, BrokerConnection } from './broker-client.js';
import { BrokerPool } from './broker-pool.js';
import { natsClient } from './nats.js';
import { rabbitmqClient } from './rabbitmq.js';
import { redisClient } from './redis.js';

// Publishes one attempt's message to its broker: a pooled connection per broker URL (opened to an
// address the URL guard checked), one publish, the broker's acknowledgement. Like the HTTP sender
// it never throws: every outcome is data, and the endpoint's timeout bounds the whole attempt —
// connecting, publishing and waiting for the acknowledgement.

/**
 * A broker's acknowledgement is recorded as 202 Accepted: the message is taken for later
 * processing, and everything that counts successes (stats, the breaker, the CLI) reads 2xx.
 */
const BROKER_ACCEPTED_STATUS = 202;
/** What is kept of a broker's error text (like a response body's first 4 KiB). */
const KEPT_ERROR_CHARS = 4096;

const CLIENTS: Record<BrokerType, BrokerClient> = { rabbitmq: rabbitmqClient, nats: natsClient, redis: redisClient };

export interface BrokerSenderOptions {
  allowPrivateUrls: boolean;
  /** The DNS whose answers the guard checks (the system's by default). */
  resolve?: Resolver;
}

class AttemptTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export class BrokerSender {
  private readonly pools = {
    rabbitmq: new BrokerPool<BrokerConnection>(),
    nats: new BrokerPool<BrokerConnection>(),
    redis: new BrokerPool<BrokerConnection>(),
  };

  constructor(private readonly options: BrokerSenderOptions) {}

  /** Publishes `message` for `endpointId`, whose stored URL is `url` (without its password). */
  async send(endpointId: string, url: string, destination: BrokerDestination, message: BrokerMessage, timeoutMs: number): Promise<SendResult> {
    const started = performance.now();
    const client = CLIENTS[destination.type];
    const connectUrl = withPassword(url, destination.password);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AttemptTimeout('the attempt timed out')), timeoutMs);
    });
    const pool = this.pools[destination.type];
    let pending: Promise<BrokerConnection> | undefined;
    try {
      const published = await Promise.race([
        (async () => {
          pending = pool.connection(endpointId, connectUrl, () => this.open(client, destination.type, connectUrl, timeoutMs));
          return (await pending).publish(message, destination, timeoutMs);
        })(),
        deadline,
      ]);
      return { statusCode: BROKER_ACCEPTED_STATUS, error: null, responseHeaders: {}, responseBody: published.responseBody, durationMs: elapsedSince(started) };
    } catch (error) {
      const code = error instanceof AttemptTimeout ? 'timeout' : (client.classify(error) ?? classifyError(error));
      // A connection that left an attempt unanswered may be half-open: the next attempt opens a new one.
      if (code === 'timeout' && pending !== undefined) pool.discard(connectUrl, pending);
      const text = error instanceof Error ? error.message : String(error);
      return { statusCode: null, error: code, responseHeaders: {}, responseBody: text.slice(0, KEPT_ERROR_CHARS), durationMs: elapsedSince(started) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The endpoint publishes no more (deleted, disabled, changed): its connection closes unless another uses it. */
  forgetEndpoint(endpointId: string): void {
    for (const pool of Object.values(this.pools)) pool.forget(endpointId);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.close()));
  }

  private async open(client: BrokerClient, type: BrokerType, connectUrl: string, timeoutMs: number): Promise<BrokerConnection> {
    const address = brokerAddress(type, connectUrl);
    const ip = await resolveGuarded(address.host, { allowPrivate: this.options.allowPrivateUrls, resolve: this.options.resolve });
    return client.connect({ address, ip, timeoutMs });
  }
}

function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
