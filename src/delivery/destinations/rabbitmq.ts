import type { Socket } from 'node:net';
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { BrokerMessage } from '../../domain/broker-message.js';
import type { BrokerDestination } from '../../domain/destination.js';
import type { AttemptErrorCode } from '../../domain/outcome.js';
import { BrokerRejection, loadOnFirstUse, type BrokerClient, type BrokerConnection, type ConnectTarget, type Published } from './broker-client.js';

// RabbitMQ destinations with amqplib: one confirm channel per exchange on each connection, every
// message published with the mandatory flag. The broker's confirm (basic.ack) is the success; a
// message it returns (no queue bound for the routing key) comes back before that confirm and makes
// the attempt fail as `unroutable`; a nack is `rejected`; an exchange that does not exist closes its
// channel with 404, `not_found` — only its own channel, so endpoints publishing to other exchanges
// of the same broker are not disturbed — and the next attempt opens a new one.

/** Heartbeats find a broker that went away while the connection sat idle in the pool. */
const HEARTBEAT_SECONDS = 30;

/** amqplib, loaded by the first RabbitMQ connection (broker-client.ts, loadOnFirstUse). */
const amqplib = loadOnFirstUse(() => import('amqplib'));

export const rabbitmqClient: BrokerClient = {
  async connect({ address, ip, timeoutMs }: ConnectTarget): Promise<BrokerConnection> {
    const { connect } = await amqplib();
    const model = await connect(
      {
        protocol: address.tls ? 'amqps' : 'amqp',
        hostname: ip,
        port: address.port,
        username: address.username ?? 'guest',
        password: address.password ?? 'guest',
        vhost: address.vhost,
        heartbeat: HEARTBEAT_SECONDS,
      },
      // The certificate is checked against the host as written, not the address connected to.
      { timeout: timeoutMs, ...(address.tls ? { servername: address.host } : {}) },
    );
    return new RabbitmqConnection(model);
  },
  classify: classifyRabbitmqError,
};

/** A confirm channel and why it closed (a 404 for a missing exchange): its failed publishes' reason. */
interface ExchangeChannel {
  channel: ConfirmChannel;
  closedBy: Error | null;
}

class RabbitmqConnection implements BrokerConnection {
  /** By exchange. */
  private readonly channels = new Map<string, Promise<ExchangeChannel>>();
  /** Messages returned by the broker, by message id, until their confirm arrives. */
  private readonly returned = new Set<string>();
  private lost = false;
  private readonly lostListeners: Array<() => void> = [];

  constructor(private readonly model: ChannelModel) {
    // Without a listener an error event would throw; the pool only needs to know it is gone.
    model.on('error', () => undefined);
    model.on('close', () => {
      this.lost = true;
      for (const listener of this.lostListeners.splice(0)) listener();
    });
  }

  onLost(listener: () => void): void {
    if (this.lost) listener();
    else this.lostListeners.push(listener);
  }

  async publish(message: BrokerMessage, _destination: BrokerDestination, _timeoutMs: number): Promise<Published> {
    const exchange = message.exchange ?? '';
    const opened = await this.confirmChannel(exchange);
    const { 'content-type': contentType, ...headers } = message.headers;
    const messageId = headers['webhook-id']!;
    this.returned.delete(messageId);
    await new Promise<void>((resolve, reject) => {
      opened.channel.publish(
        exchange,
        message.target,
        Buffer.from(message.body),
        {
          mandatory: true,
          persistent: true,
          contentType,
          messageId,
          type: headers['webhook-event-type'],
          timestamp: Number(headers['webhook-timestamp']),
          headers,
        },
        (error: unknown) => {
          if (error === null || error === undefined) resolve();
          // A channel closed by the broker fails its unconfirmed messages before (or after) it says
          // why: the reason is read once the close has been handled.
          else setImmediate(() => reject(opened.closedBy ?? error));
        },
      );
    });
    if (this.returned.delete(messageId)) throw new BrokerRejection('unroutable', `no queue is bound to exchange "${message.exchange}" for routing key "${message.target}"`);
    return { responseBody: null };
  }

  close(): Promise<void> {
    return this.model.close();
  }

  destroy(): void {
    // amqplib closes only with the broker's close-ok, which a half-open connection never sends: its
    // socket (the connection's `stream`, not in amqplib's types) is cut instead, and 'close' follows.
    (this.model.connection as unknown as { stream: Socket }).stream.destroy();
  }

  private confirmChannel(exchange: string): Promise<ExchangeChannel> {
    let pending = this.channels.get(exchange);
    if (pending === undefined) {
      const forget = () => {
        if (this.channels.get(exchange) === pending) this.channels.delete(exchange);
      };
      pending = this.model.createConfirmChannel().then((channel) => {
        const opened: ExchangeChannel = { channel, closedBy: null };
        channel.on('return', (returned: Message) => {
          const id = returned.properties.messageId as string | undefined;
          if (id !== undefined) this.returned.add(id);
        });
        channel.on('error', (error: Error) => (opened.closedBy = error));
        channel.on('close', forget);
        return opened;
      });
      pending.catch(forget);
      this.channels.set(exchange, pending);
    }
    return pending;
  }
}

function classifyRabbitmqError(error: unknown): AttemptErrorCode | null {
  if (error instanceof BrokerRejection) return error.code;
  const text = error instanceof Error ? error.message : String(error);
  // AMQP reply codes, as amqplib words them: 403 ACCESS_REFUSED (login or permissions), 404
  // NOT_FOUND (exchange), 530 NOT_ALLOWED ("vhost … not found", or not allowed to the user).
  if (/ACCESS[-_]REFUSED|\b403\b/.test(text)) return 'auth';
  if (/NOT[-_]FOUND|\b404\b|not found/i.test(text)) return 'not_found';
  if (/NOT[-_]ALLOWED|\b530\b/.test(text)) return 'auth';
  if (/nack/i.test(text)) return 'rejected';
  // The connection went away under a publish (a channel closed by the broker says why instead).
  if (/^(channel closed|channel ended|connection closed|socket closed)/i.test(text)) return 'connection_reset';
  return null;
}
