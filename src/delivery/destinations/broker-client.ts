import type { BrokerMessage } from '../../domain/broker-message.js';
import type { BrokerAddress, BrokerDestination } from '../../domain/destination.js';
import type { AttemptErrorCode } from '../../domain/outcome.js';
import type { PooledConnection } from './broker-pool.js';

// What each broker's module implements (rabbitmq.ts, nats.ts, redis.ts): open a connection, publish
// one message on it and wait for the broker's acknowledgement, and say what a failure was.

/** A broker's acknowledgement, kept as the attempt's response body (a stream sequence, an entry id). */
export interface Published {
  responseBody: string | null;
}

export interface BrokerConnection extends PooledConnection {
  /** Resolves once the broker has taken the message; rejects with what the broker or the socket said. */
  publish(message: BrokerMessage, destination: BrokerDestination, timeoutMs: number): Promise<Published>;
}

export interface ConnectTarget {
  address: BrokerAddress;
  /** The guarded address to connect to (address.host stays the TLS server name). */
  ip: string;
  timeoutMs: number;
}

export interface BrokerClient {
  connect(target: ConnectTarget): Promise<BrokerConnection>;
  /** The broker's own errors (auth, not found, unroutable…); null leaves it to the socket-level rules. */
  classify(error: unknown): AttemptErrorCode | null;
}

/** A broker refused the message on purpose: the reason is recorded as the attempt's response body. */
export class BrokerRejection extends Error {
  constructor(
    readonly code: AttemptErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A broker's client library, imported by the first connection to that kind of broker rather than
 * when hookd starts: most installs never use one, and the three together cost every process start
 * (and every test file) ~160 ms and their memory. Loaded once; a failed load is tried again.
 */
export function loadOnFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}
