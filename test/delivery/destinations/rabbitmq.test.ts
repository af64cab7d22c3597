import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, CLOSED_PORT, RABBITMQ_URL, settledDelivery, testSend, uniqueName, verifiedBody } from '../../support/brokers.js';
import { createEndpoint, createEventTypes, postEvent } from '../../support/fixtures.js';
import { startServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait-for.js';

// RabbitMQ destinations against the machine's broker: a message published to a topic exchange
// with its routing key rendered from the event, consumed from a queue bound to it and verified with
// the standardwebhooks library; an unroutable message (the mandatory flag) is a failed attempt that
// is retried; a missing exchange, a wrong password and a closed port are each classified.

describe('RabbitMQ destinations', () => {
  let server: TestServer;
  let broker: ChannelModel;
  let channel: Channel;
  const exchange = uniqueName('hookd-test-');
  /** Messages consumed, by queue. */
  const consumed = new Map<string, ConsumeMessage[]>();

  async function bindQueue(routingKey: string): Promise<string> {
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, routingKey);
    consumed.set(queue, []);
    await channel.consume(queue, (message) => {
      if (message !== null) consumed.get(queue)!.push(message);
    }, { noAck: true });
    return queue;
  }

  /** The queue's messages once it has at least `count` (a confirm comes before the consumer's delivery). */
  function received(queue: string, count: number): Promise<ConsumeMessage[]> {
    return waitFor(() => (consumed.get(queue)!.length >= count ? consumed.get(queue) : null), { what: `${count} messages on ${queue}` });
  }

  function headersOf(message: ConsumeMessage): Record<string, string> {
    return Object.fromEntries(Object.entries(message.properties.headers ?? {}).map(([name, value]) => [name, String(value)]));
  }

  beforeAll(async () => {
    broker = await connect(RABBITMQ_URL);
    channel = await broker.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    server = await startServer();
    await createEventTypes(server, 'order.created', 'order.paid');
  });
  afterAll(async () => {
    await server?.close();
    await channel?.deleteExchange(exchange);
    await broker?.close();
  });

  it('publishes each delivery to the exchange, signed, with the password kept out of every answer', async () => {
    const queue = await bindQueue('order.created');
    const endpoint = await createEndpoint(server, {
      url: RABBITMQ_URL,
      eventTypes: ['order.created'],
      destination: { type: 'rabbitmq', exchange },
      headers: { 'x-tenant': '{{data.tenant}}' },
    });
    const shown = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body;
    expect(shown.url).toBe('amqp://guest@127.0.0.1:5672');
    expect(shown.destination).toEqual({ type: 'rabbitmq', exchange, routingKey: '{{event.type}}', hasPassword: true });
    expect(JSON.stringify(shown)).not.toContain('guest:guest');

    const { id } = await postEvent(server, { type: 'order.created', payload: { orderId: 7, tenant: 'acme' } });
    const delivery = await settledDelivery(server, id, 'succeeded');
    expect(delivery.url).toBe('amqp://guest@127.0.0.1:5672');
    const [message] = await received(queue, 1);
    const headers = headersOf(message!);
    expect(verifiedBody(endpoint.secret, headers, message!.content.toString())).toMatchObject({ type: 'order.created', data: { orderId: 7 } });
    expect(message!.fields.routingKey).toBe('order.created');
    expect(message!.properties).toMatchObject({ contentType: 'application/json', messageId: headers['webhook-id'], type: 'order.created', deliveryMode: 2 });
    expect(headers).toMatchObject({ 'webhook-event-type': 'order.created', 'x-tenant': 'acme' });

    const [attempt] = await attemptsOf(server, delivery.id);
    expect(attempt).toMatchObject({ statusCode: 202, error: null, requestMethod: 'PUBLISH', requestUrl: `amqp://guest@127.0.0.1:5672#${exchange}/order.created` });
    expect(JSON.stringify(attempt)).not.toContain('guest:guest');
  });

  it('fails an unroutable message (mandatory flag) and retries it until a queue is bound', async () => {
    await createEndpoint(server, {
      url: RABBITMQ_URL,
      eventTypes: ['order.paid'],
      destination: { type: 'rabbitmq', exchange, routingKey: 'late.{{event.type}}' },
      retry: { schedule: 'custom', delaysSeconds: [1, 1, 1, 1, 1] },
    });
    const { id } = await postEvent(server, { type: 'order.paid', payload: { orderId: 8 } });
    const first = await waitFor(async () => {
      const [delivery] = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data;
      return delivery?.attempts >= 1 ? delivery : null;
    }, { what: 'the first attempt' });
    const queue = await bindQueue('late.order.paid');
    const delivery = await settledDelivery(server, id, 'succeeded');
    const attempts = await attemptsOf(server, first.id);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: 'unroutable' });
    expect(attempts.at(-1)).toMatchObject({ statusCode: 202, error: null });
    expect(delivery.attempts).toBe(attempts.length);
    expect(await received(queue, 1)).toHaveLength(1);
  });

  it('classifies a missing exchange, a wrong password and a closed port', async () => {
    const missing = await createEndpoint(server, { url: RABBITMQ_URL, destination: { type: 'rabbitmq', exchange: uniqueName('hookd-absent-') } });
    const wrongPassword = await createEndpoint(server, { url: 'amqp://guest:not-the-password@127.0.0.1:5672', destination: { type: 'rabbitmq', exchange } });
    const closed = await createEndpoint(server, { url: `amqp://guest:guest@127.0.0.1:${CLOSED_PORT}`, destination: { type: 'rabbitmq', exchange } });
    expect(await testSend(server, missing.id)).toMatchObject({ statusCode: null, error: 'not_found' });
    const refused = await testSend(server, wrongPassword.id);
    expect(refused).toMatchObject({ statusCode: null, error: 'auth' });
    expect(JSON.stringify(refused)).not.toContain('not-the-password');
    expect(await testSend(server, closed.id)).toMatchObject({ statusCode: null, error: 'connection_refused' });
    // The channel the missing exchange closed is replaced: the same connection publishes again.
    const queue = await bindQueue('hookd.ping');
    const fixed = await server.request('PATCH', `/v1/endpoints/${missing.id}`, { destination: { type: 'rabbitmq', exchange } });
    expect(fixed.status).toBe(200);
    expect(await testSend(server, missing.id)).toMatchObject({ statusCode: 202, error: null });
    expect(await received(queue, 1)).toHaveLength(1);
  });

  it('keeps the stored password when a PATCH gives the URL without one, and takes a new one', async () => {
    const queue = await bindQueue('hookd.ping');
    const endpoint = await createEndpoint(server, { url: 'amqp://guest:wrong@127.0.0.1:5672', destination: { type: 'rabbitmq', exchange } });
    expect(await testSend(server, endpoint.id)).toMatchObject({ error: 'auth' });
    expect((await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { url: RABBITMQ_URL })).status).toBe(200);
    expect(await testSend(server, endpoint.id)).toMatchObject({ statusCode: 202 });
    // As a form saves it back: the URL shown, without its password.
    const shown = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.url;
    expect((await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { url: shown, title: 'renamed' })).status).toBe(200);
    expect(await testSend(server, endpoint.id)).toMatchObject({ statusCode: 202 });
    expect(await received(queue, 2)).toHaveLength(2);
  });

  it('guards the broker host: refused on save, and at connect time when a name resolves to it', async () => {
    const guarded = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' }, undefined, undefined, undefined, {
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const literal = await guarded.request('POST', '/v1/endpoints', { url: RABBITMQ_URL, destination: { type: 'rabbitmq', exchange } });
      expect(literal.status).toBe(422);
      expect(literal.body.error).toMatchObject({ code: 'url_not_allowed', details: [{ field: '/url' }] });
      const named = await createEndpoint(guarded, { url: 'amqp://guest:guest@mq.example.test:5672', destination: { type: 'rabbitmq', exchange } });
      expect(await testSend(guarded, named.id)).toMatchObject({ statusCode: null, error: 'url_not_allowed' });
    } finally {
      await guarded.close();
    }
  });

  it('previews the message: routing key, headers and body', async () => {
    const response = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: { url: RABBITMQ_URL, destination: { type: 'rabbitmq', exchange: 'hooks', routingKey: 'shop.{{data.shop}}.{{event.type}}' } },
      eventType: 'order.created',
      payload: { shop: 'paris' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      method: 'PUBLISH',
      url: 'amqp://guest@127.0.0.1:5672#hooks/shop.paris.order.created',
      destination: { type: 'rabbitmq', exchange: 'hooks', target: 'shop.paris.order.created' },
      headers: { 'webhook-event-type': 'order.created', 'content-type': 'application/json' },
    });
    expect(JSON.parse(response.body.body)).toMatchObject({ type: 'order.created', data: { shop: 'paris' } });
  });

  it('refuses what a broker destination cannot use, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ url: 'http://127.0.0.1:5672', destination: { type: 'rabbitmq', exchange } }, '/url'],
      [{ url: RABBITMQ_URL, method: 'PUT', destination: { type: 'rabbitmq', exchange } }, '/method'],
      [{ url: RABBITMQ_URL, queryParams: { a: 'b' }, destination: { type: 'rabbitmq', exchange } }, '/queryParams'],
      [{ url: RABBITMQ_URL, auth: { type: 'bearer', token: 't' }, destination: { type: 'rabbitmq', exchange } }, '/auth'],
      [{ url: RABBITMQ_URL, destination: { type: 'rabbitmq', exchange, routingKey: '{{event.type' } }, '/destination/routingKey'],
      [{ url: RABBITMQ_URL, destination: { type: 'rabbitmq', exchange: 'no spaces' } }, '/destination/exchange'],
    ];
    for (const [definition, field] of cases) {
      const response = await server.request('POST', '/v1/endpoints', definition);
      expect(response.status, field).toBe(400);
      expect(response.body.error.details[0].field).toBe(field);
    }
  });
});
