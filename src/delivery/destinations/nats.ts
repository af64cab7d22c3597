import type { NatsConnection } from 'nats';
import type { BrokerMessage } from '../../domain/broker-message.js';
import type { BrokerDestination } from '../../domain/destination.js';
import type { AttemptErrorCode } from '../../domain/outcome.js';
import { loadOnFirstUse, type BrokerClient, type BrokerConnection, type ConnectTarget, type Published } from './broker-client.js';

// NATS destinations with nats.js: a JetStream publish, whose acknowledgement by the stream that
// captures the subject is the success. `Nats-Msg-Id` is the message's `webhook-id`, so a retry of
// a message the stream already took (its acknowledgement lost) is deduplicated within the stream's
// duplicate window, and still a success. No stream for the subject is `not_found`.

/** nats.js, loaded by the first NATS connection (broker-client.ts, loadOnFirstUse). */
const nats = loadOnFirstUse(() => import('nats'));

export const natsClient: BrokerClient = {
  async connect({ address, ip, timeoutMs }: ConnectTarget): Promise<BrokerConnection> {
    const { connect, headers } = await nats();
    const connection = await connect({
      servers: `${ip.includes(':') ? `[${ip}]` : ip}:${address.port}`,
      ...(address.username === null ? {} : { user: address.username }),
      // A password without a user is a token (nats://token@host, see splitPassword).
      ...(address.password === null ? {} : address.username === null ? { token: address.password } : { pass: address.password }),
      // The certificate is checked against the host as written, not the address connected to.
      ...(address.tls ? { tls: { servername: address.host } as object } : {}),
      timeout: timeoutMs,
      // A lost connection leaves the pool and the next attempt reconnects (and reports why it cannot).
      reconnect: false,
      name: 'hookd',
    });
    return new NatsPublisher(connection, headers);
  },
  classify: classifyNatsError,
};

class NatsPublisher implements BrokerConnection {
  constructor(
    private readonly connection: NatsConnection,
    private readonly natsHeaders: typeof import('nats').headers,
  ) {}

  onLost(listener: () => void): void {
    void this.connection.closed().then(listener);
  }

  async publish(message: BrokerMessage, _destination: BrokerDestination, timeoutMs: number): Promise<Published> {
    const headers = this.natsHeaders();
    for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
    const ack = await this.connection.jetstream().publish(message.target, Buffer.from(message.body), {
      msgID: message.headers['webhook-id']!,
      headers,
      timeout: timeoutMs,
    });
    return { responseBody: JSON.stringify({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }) };
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  destroy(): void {
    // nats.js closes without waiting for the server: its socket is destroyed at once.
    void this.connection.close().catch(() => undefined);
  }
}

function classifyNatsError(error: unknown): AttemptErrorCode | null {
  const code = (error as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'CONNECTION_REFUSED':
      return 'connection_refused';
    case 'AUTHORIZATION_VIOLATION':
    case 'AUTHENTICATION_EXPIRED':
    case 'PERMISSIONS_VIOLATION':
      return 'auth';
    // No responders: nothing listens on the subject, i.e. no stream captures it.
    case '503':
      return 'not_found';
    case 'TIMEOUT':
      return 'timeout';
    case 'DISCONNECT':
    case 'CONNECTION_CLOSED':
    case 'CONNECTION_DRAINING':
      return 'connection_reset';
  }
  // JetStream's own refusals (stream full, message too large, wrong expected sequence) carry an api error.
  if ((error as { api_error?: unknown } | null)?.api_error !== undefined) return 'rejected';
  return null;
}
