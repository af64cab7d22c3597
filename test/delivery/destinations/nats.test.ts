import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { AckPolicy, connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, CLOSED_PORT, NATS_URL, settledDelivery, testSend, uniqueName, verifiedBody } from '../../support/brokers.js';
import { createEndpoint, createEventTypes, postEvent } from '../../support/fixtures.js';
import { freePort, startServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait-for.js';

// NATS destinations against the machine's JetStream: a message published on a subject rendered
// from the event, stored by a stream of the test's own, read back and verified with the
// standardwebhooks library, with Nats-Msg-Id = webhook-id; a subject no stream captures and a
// closed port are each classified.

describe('NATS JetStream destinations', () => {
  let server: TestServer;
  let nats: NatsConnection;
  let streams: JetStreamManager;
  const stream = uniqueName('HOOKDTEST');
  const prefix = uniqueName('hookdtest');

  beforeAll(async () => {
    nats = await connect({ servers: NATS_URL });
    streams = await nats.jetstreamManager();
    await streams.streams.add({ name: stream, subjects: [`${prefix}.>`] });
    server = await startServer();
    await createEventTypes(server, 'order.created');
  });
  afterAll(async () => {
    await server?.close();
    await streams?.streams.delete(stream);
    await nats?.close();
  });

  it('publishes each delivery to JetStream, signed, with Nats-Msg-Id = webhook-id for deduplication', async () => {
    const endpoint = await createEndpoint(server, {
      url: NATS_URL,
      eventTypes: ['order.created'],
      destination: { type: 'nats', subject: `${prefix}.{{event.type}}` },
    });
    const { id } = await postEvent(server, { type: 'order.created', payload: { orderId: 9 } });
    const delivery = await settledDelivery(server, id, 'succeeded');

    const consumer = await streams.consumers.add(stream, { ack_policy: AckPolicy.None });
    const messages = await nats.jetstream().consumers.get(stream, consumer.name);
    const message = await messages.next({ expires: 5_000 });
    expect(message).not.toBeNull();
    expect(message!.subject).toBe(`${prefix}.order.created`);
    const headers = Object.fromEntries([...message!.headers!.keys()].map((name) => [name, message!.headers!.get(name)]));
    expect(verifiedBody(endpoint.secret, headers, message!.string())).toMatchObject({ type: 'order.created', data: { orderId: 9 } });
    expect(headers['Nats-Msg-Id']).toBe(headers['webhook-id']);

    const [attempt] = await attemptsOf(server, delivery.id);
    expect(attempt).toMatchObject({ statusCode: 202, error: null, requestMethod: 'PUBLISH', requestUrl: `nats://127.0.0.1:4222#${prefix}.order.created` });
    expect(JSON.parse(attempt.responseBody)).toEqual({ stream, seq: 1, duplicate: false });

    // A retry of this message (its acknowledgement lost, say) carries the same Nats-Msg-Id: the stream takes it as a duplicate.
    const retried = await nats.jetstream().publish(`${prefix}.order.created`, message!.data, { msgID: headers['webhook-id']! });
    expect(retried.duplicate).toBe(true);
    expect((await streams.streams.info(stream)).state.messages).toBe(1);
  });

  it('takes a token given as the URL\'s username as a secret: kept out of every answer, and sent as the token', async () => {
    // A NATS server of the test's own that asks for a token (the machine's asks for nothing).
    const token = `tok-${uniqueName('')}`;
    const port = await freePort();
    const guarded = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--auth', token], { stdio: 'ignore' });
    try {
      await waitFor(() => new Promise<true | null>((resolve) => {
        const probe = createConnection(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(null));
        probe.on('connect', () => probe.destroy());
      }), { what: 'the token-guarded NATS server' });
      const endpoint = await createEndpoint(server, { url: `nats://${token}@127.0.0.1:${port}`, destination: { type: 'nats', subject: `${prefix}.token` } });
      const shown = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body;
      expect(shown.url).toBe(`nats://127.0.0.1:${port}`);
      // Authenticated with the token: refused only because no stream of that server captures the subject.
      const attempt = await testSend(server, endpoint.id);
      expect(attempt).toMatchObject({ statusCode: null, error: 'not_found', requestUrl: `nats://127.0.0.1:${port}#${prefix}.token` });
      const wrong = await createEndpoint(server, { url: `nats://not-${token}@127.0.0.1:${port}`, destination: { type: 'nats', subject: `${prefix}.token` } });
      expect(await testSend(server, wrong.id)).toMatchObject({ statusCode: null, error: 'auth' });
      const delivery = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body;
      expect(JSON.stringify([shown, attempt, delivery])).not.toContain(token);
    } finally {
      guarded.kill();
    }
  });

  it('classifies a subject no stream captures and a closed port', async () => {
    const unstored = await createEndpoint(server, { url: NATS_URL, destination: { type: 'nats', subject: `${uniqueName('nostream')}.x` } });
    const closed = await createEndpoint(server, { url: `nats://127.0.0.1:${CLOSED_PORT}`, destination: { type: 'nats', subject: `${prefix}.x` } });
    expect(await testSend(server, unstored.id)).toMatchObject({ statusCode: null, error: 'not_found' });
    expect(await testSend(server, closed.id)).toMatchObject({ statusCode: null, error: 'connection_refused' });
  });

  it('fails a rendered subject NATS would refuse as invalid_request, without retries', async () => {
    await createEventTypes(server, 'order.wild');
    await createEndpoint(server, { url: NATS_URL, eventTypes: ['order.wild'], destination: { type: 'nats', subject: `${prefix}.{{data.name}}` } });
    const { id } = await postEvent(server, { type: 'order.wild', payload: { name: 'two words' } });
    const delivery = await settledDelivery(server, id, 'dropped');
    const attempts = await attemptsOf(server, delivery.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: 'invalid_request' });
  });
});
