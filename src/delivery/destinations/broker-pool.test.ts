import { describe, expect, it, vi } from 'vitest';
import { BrokerPool, type PooledConnection } from './broker-pool.js';

class FakeConnection implements PooledConnection {
  closed = false;
  destroyed = false;
  /** A broker that never answers the goodbye (a half-open connection). */
  hangsOnClose = false;
  private lost: () => void = () => undefined;
  constructor(readonly url: string) {}
  onLost(listener: () => void): void {
    this.lost = listener;
  }
  loseIt(): void {
    this.lost();
  }
  close(): Promise<void> {
    if (this.hangsOnClose) return new Promise(() => undefined);
    this.closed = true;
    return Promise.resolve();
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function pool(idle?: { releaseMs: number; sweepEveryMs: number }) {
  const opened: FakeConnection[] = [];
  const brokers = new BrokerPool<FakeConnection>(idle);
  const open = (url: string) => async () => {
    const connection = new FakeConnection(url);
    opened.push(connection);
    return connection;
  };
  return { brokers, opened, use: (endpointId: string, url: string) => brokers.connection(endpointId, url, open(url)) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BrokerPool', () => {
  it('shares one connection per URL, and closes it once no endpoint uses it', async () => {
    const { brokers, opened, use } = pool();
    const a = await use('ep_a', 'amqp://mq/1');
    expect(await use('ep_b', 'amqp://mq/1')).toBe(a);
    expect(opened).toHaveLength(1);
    // ep_a moves to another URL: the first is still ep_b's.
    await use('ep_a', 'amqp://mq/2');
    expect(a.closed).toBe(false);
    brokers.forget('ep_b');
    await settle();
    expect(a.closed).toBe(true);
    expect(opened.map((c) => c.url)).toEqual(['amqp://mq/1', 'amqp://mq/2']);
    await brokers.close();
    expect(opened[1]!.closed).toBe(true);
  });

  it('opens a new connection after one is lost or could not be opened', async () => {
    const { brokers, opened, use } = pool();
    const first = await use('ep_a', 'nats://n');
    await settle();
    first.loseIt();
    expect(await use('ep_a', 'nats://n')).not.toBe(first);
    await expect(brokers.connection('ep_b', 'nats://down', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await settle();
    expect((await use('ep_b', 'nats://down')).url).toBe('nats://down');
    expect(opened).toHaveLength(3);
  });

  it('discards a connection an attempt timed out on, and cuts one that never says goodbye', async () => {
    const { brokers, opened, use } = pool();
    const pending = brokers.connection('ep_a', 'redis://r', async () => {
      const connection = new FakeConnection('redis://r');
      connection.hangsOnClose = true;
      opened.push(connection);
      return connection;
    });
    const first = await pending;
    brokers.discard('redis://r', pending);
    await settle();
    expect(first.destroyed).toBe(true);
    const second = await use('ep_a', 'redis://r');
    expect(second).not.toBe(first);
    // Discarding an old connection leaves the new one in the pool.
    brokers.discard('redis://r', pending);
    expect(await use('ep_a', 'redis://r')).toBe(second);
    second.hangsOnClose = true;
    // close() ends after its grace time, the connection cut.
    await brokers.close();
    expect(second.destroyed).toBe(true);
  });

  it('closes a connection once every endpoint using it has been idle for the release time', async () => {
    const { brokers, use } = pool({ releaseMs: 50, sweepEveryMs: 10 });
    const connection = await use('ep_a', 'amqp://mq/idle');
    await use('ep_b', 'amqp://mq/idle');
    await vi.waitFor(() => expect(connection.closed).toBe(true), { timeout: 5_000 });
    // Used again, it is opened again.
    expect(await use('ep_a', 'amqp://mq/idle')).not.toBe(connection);
    await brokers.close();
  });
});
