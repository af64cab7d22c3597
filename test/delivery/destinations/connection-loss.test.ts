import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import { connect as natsConnect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, streamEntryFields, uniqueName, verifiedBody } from '../../support/brokers.js';
import { createEndpoint, createEventTypes, postEvent } from '../../support/fixtures.js';
import { startServer, type Json, type TestServer } from '../../support/server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';

// A broker that goes away in the middle of a run, for each broker: hookd publishes through a
// loopback proxy (the machine's brokers are shared, and never restarted), which drops every open
// connection and refuses new ones for a while, and later leaves its connections open but silent
// (a half-open connection nobody has noticed). Every accepted event must reach the broker — read
// back and verified with the standardwebhooks library — the failed attempts must be classified and
// retried, and the endpoint must recover by itself on a new connection. Delivery is at least once:
// a message whose acknowledgement was lost with the connection is published again, so a broker may
// hold it twice (NATS drops the copy itself, by Nats-Msg-Id); the check is that none is missing.

interface Consumed {
  headers: Record<string, string>;
  body: string;
}

/** One broker as this test uses it: where it listens, a place of the test's own, and reading it back. */
interface BrokerUnderTest {
  name: string;
  port: number;
  urlThrough(proxyPort: number): string;
  destination(): Record<string, unknown>;
  setUp(): Promise<void>;
  consumed(): Promise<Consumed[]>;
  tearDown(): Promise<void>;
}

function rabbitmq(): BrokerUnderTest {
  let model: ChannelModel;
  let channel: Channel;
  const queue = uniqueName('hookd-test-loss-');
  const messages: Consumed[] = [];
  return {
    name: 'RabbitMQ',
    port: 5672,
    urlThrough: (port) => `amqp://guest:guest@127.0.0.1:${port}`,
    // The default exchange routes to the queue of the routing key's name.
    destination: () => ({ type: 'rabbitmq', exchange: '', routingKey: queue }),
    async setUp() {
      model = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
      channel = await model.createChannel();
      await channel.assertQueue(queue, { durable: false, autoDelete: false });
      await channel.consume(queue, (message) => {
        if (message === null) return;
        const headers = Object.fromEntries(Object.entries(message.properties.headers ?? {}).map(([name, value]) => [name, String(value)]));
        messages.push({ headers, body: message.content.toString() });
      }, { noAck: true });
    },
    consumed: async () => messages,
    async tearDown() {
      await channel?.deleteQueue(queue);
      await model?.close();
    },
  };
}

function nats(): BrokerUnderTest {
  let connection: NatsConnection;
  let streams: JetStreamManager;
  const stream = uniqueName('HOOKDLOSS');
  const subject = uniqueName('hookdloss');
  return {
    name: 'NATS JetStream',
    port: 4222,
    urlThrough: (port) => `nats://127.0.0.1:${port}`,
    destination: () => ({ type: 'nats', subject }),
    async setUp() {
      connection = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
      streams = await connection.jetstreamManager();
      await streams.streams.add({ name: stream, subjects: [subject] });
    },
    async consumed() {
      const { messages } = (await streams.streams.info(stream)).state;
      const read: Consumed[] = [];
      for (let seq = 1; seq <= messages; seq++) {
        const message = await streams.streams.getMessage(stream, { seq });
        const headers = Object.fromEntries([...message.header.keys()].map((name) => [name, message.header.get(name)]));
        read.push({ headers, body: message.string() });
      }
      return read;
    },
    async tearDown() {
      await streams?.streams.delete(stream);
      await connection?.close();
    },
  };
}

function redis(): BrokerUnderTest {
  let client: Redis;
  const stream = uniqueName('hookd-test-loss-');
  return {
    name: 'Redis Streams',
    port: 6379,
    urlThrough: (port) => `redis://127.0.0.1:${port}/0`,
    destination: () => ({ type: 'redis', stream }),
    async setUp() {
      client = new Redis('redis://127.0.0.1:6379/0');
    },
    async consumed() {
      return (await client.xrange(stream, '-', '+')).map(([, flat]) => {
        const { body, ...headers } = streamEntryFields(flat);
        return { headers, body: body! };
      });
    },
    async tearDown() {
      await client?.del(stream);
      await client?.quit();
    },
  };
}

/** Failures a lost broker may cause: its connection refused or cut, or a publish left unanswered. */
const OUTAGE_ERRORS = ['connection_refused', 'connection_reset', 'timeout'];
const EVENTS = 200;

describe.each([rabbitmq(), nats(), redis()])('$name: a broker connection lost mid-run', (broker) => {
  let server: TestServer;
  let proxy: TcpProxy;
  let endpoint: { id: string; secret: string };
  const posted: string[] = [];

  beforeAll(async () => {
    await broker.setUp();
    proxy = await startTcpProxy(broker.port);
    server = await startServer();
    await createEventTypes(server, 'order.created');
    endpoint = await createEndpoint(server, {
      url: broker.urlThrough(proxy.port),
      eventTypes: ['order.created'],
      destination: broker.destination(),
      timeoutMs: 2000,
      retry: { schedule: 'custom', delaysSeconds: [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 5, 5] },
    });
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await broker.tearDown();
  });

  async function post(count: number): Promise<void> {
    for (let i = 0; i < count; i++) posted.push((await postEvent(server, { type: 'order.created', payload: { n: posted.length } })).id);
  }

  /** The endpoint's deliveries, all pages. */
  async function deliveries(): Promise<Json[]> {
    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&limit=250${cursor === null ? '' : `&cursor=${cursor}`}`)).body;
      all.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return all;
  }

  async function allSucceeded(): Promise<Json[]> {
    return waitFor(
      async () => {
        const listed = await deliveries();
        return listed.length === posted.length && listed.every((delivery) => delivery.status === 'succeeded') ? listed : null;
      },
      { timeoutMs: 60_000, what: `all ${posted.length} deliveries to ${broker.name} to succeed` },
    );
  }

  /** The failed attempts of `listed`, each checked: an outage's class, and its delivery retried to success. */
  async function failedAttempts(listed: Json[]): Promise<Json[]> {
    const failed: Json[] = [];
    for (const delivery of listed.filter((d) => d.attempts > 1)) {
      const attempts = await attemptsOf(server, delivery.id);
      expect(attempts.at(-1)).toMatchObject({ statusCode: 202, error: null });
      for (const attempt of attempts.slice(0, -1)) {
        expect(attempt.statusCode).toBeNull();
        expect(OUTAGE_ERRORS, attempt.responseBody).toContain(attempt.error);
        failed.push(attempt);
      }
    }
    return failed;
  }

  /** Every posted event is at the broker (at least once), signed with the endpoint's secret. */
  async function expectAllAtTheBroker(): Promise<void> {
    const seen = await waitFor(
      async () => {
        const messages = await broker.consumed();
        const ids = new Set(messages.map((message) => (verifiedBody(endpoint.secret, message.headers, message.body) as Json).data.n as number));
        return ids.size >= posted.length ? ids : null;
      },
      { what: `${posted.length} messages at ${broker.name}` },
    );
    expect([...seen].sort((a, b) => a - b)).toEqual(posted.map((_, n) => n));
  }

  async function expectHealthy(): Promise<void> {
    // A breaker opened by the outage closes by itself with a successful probe.
    await waitFor(
      async () => {
        const shown = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body;
        return shown.active === true && shown.state.mode === 'normal' ? shown : null;
      },
      { timeoutMs: 30_000, what: 'the endpoint to be back to normal' },
    );
  }

  it(`loses nothing when every connection is dropped and refused for a while, and reconnects by itself`, async () => {
    await post(60);
    await waitFor(async () => ((await broker.consumed()).length > 0 ? true : null), { what: 'a first message through the proxy' });
    const connectionsBefore = proxy.acceptedConnections();

    // The broker goes away: its connections cut, new ones refused, while events keep coming.
    proxy.dropAll();
    await proxy.refuse(true);
    await post(80);
    // Refused until an attempt has met the closed port (after the breaker's cool-down, if the cut
    // connections' failures opened it): the refusal is seen, and classified.
    await waitFor(async () => ((await deliveries()).some((delivery) => delivery.lastError === 'connection_refused') ? true : null), {
      timeoutMs: 30_000,
      what: 'an attempt refused during the outage',
    });
    await proxy.refuse(false);
    await post(EVENTS - posted.length);

    const listed = await allSucceeded();
    const failed = await failedAttempts(listed);
    expect(failed.length).toBeGreaterThan(0);
    await expectAllAtTheBroker();
    // The dead connection left the pool and a new one was opened, without anyone touching the endpoint.
    expect(proxy.acceptedConnections()).toBeGreaterThan(connectionsBefore);
    await expectHealthy();
    const { id } = await postEvent(server, { type: 'order.created', payload: { n: posted.length } });
    posted.push(id);
    await allSucceeded();
  }, 120_000);

  it('ends attempts on a half-open connection with the timeout, and opens a new one', async () => {
    await expectHealthy();
    const connectionsBefore = proxy.acceptedConnections();
    // The open connections stay open but carry nothing more; a new connection works.
    proxy.stallAll();
    const before = posted.length;
    await post(20);

    const listed = await allSucceeded();
    const fresh = new Set(posted.slice(before));
    const failed = await failedAttempts(listed.filter((delivery) => fresh.has(delivery.eventId)));
    expect(failed.map((attempt) => attempt.error)).toContain('timeout');
    await expectAllAtTheBroker();
    expect(proxy.acceptedConnections()).toBeGreaterThan(connectionsBefore);
    await expectHealthy();
  }, 120_000);
});
