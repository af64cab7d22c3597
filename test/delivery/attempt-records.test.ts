import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, deliveriesOf, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Issue 19 (lean storage): what an attempt shows stays what was sent and answered, although a body
// that is the event itself is no longer stored with each attempt; and hookd.delivery.failed is
// stored only when some endpoint subscribes to it.

describe('attempt records and operational events, stored lean', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'call.ended', 'fax.sent');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const finished = (eventId: string) =>
    waitFor(
      async () => {
        const [delivery] = await deliveriesOf(server, eventId);
        return delivery !== undefined && delivery.status !== 'pending' && delivery.status !== 'sending' ? delivery : null;
      },
      { what: 'the delivery to finish' },
    );

  const attemptsOf = async (deliveryId: string): Promise<Json[]> => {
    const response = await server.request('GET', `/v1/deliveries/${deliveryId}/attempts`);
    expect(response.status).toBe(200);
    return (response.body.data as Json[]).reverse();
  };

  it('shows every attempt with the request as sent and the answer as received, across retries', async () => {
    receiver.script('/flaky', [
      { status: 503, body: 'down for a moment', headers: { 'x-reason': 'maintenance' } },
      { status: 200, body: 'ok' },
    ]);
    await createEndpoint(server, { url: `${receiver.url}/flaky`, eventTypes: ['call.ended'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    // Sent as text: the payload's bytes (a number beyond 2^53 as spelled) are what the body carries.
    const posted = await server.request('POST', '/v1/events', '{"type":"call.ended","payload":{"callId":7,"note":"ünïcode","big":12345678901234567890}}');
    expect(posted.status).toBe(202);
    const { id } = posted.body as { id: string };
    const delivery = await finished(id);
    expect(delivery.status).toBe('succeeded');

    const sent = receiver.requestsTo('/flaky');
    const attempts = await attemptsOf(delivery.id);
    expect(attempts).toHaveLength(2);
    expect(sent).toHaveLength(2);
    for (const [i, attempt] of attempts.entries()) {
      expect(attempt).toMatchObject({ deliveryId: delivery.id, requestMethod: 'POST', requestUrl: `${receiver.url}/flaky`, error: null });
      // The body is rebuilt from the event: byte for byte what the receiver got (the big number's spelling included).
      expect(attempt.requestBody).toBe(sent[i]!.body);
      expect(attempt.requestBody).toContain('12345678901234567890');
      expect(attempt.requestHeaders['webhook-signature']).toBe(sent[i]!.headers['webhook-signature']);
      expect(attempt.requestHeaders['webhook-timestamp']).toBe(sent[i]!.headers['webhook-timestamp']);
      expect(typeof attempt.durationMs).toBe('number');
    }
    expect(attempts[0]).toMatchObject({ statusCode: 503, responseBody: 'down for a moment' });
    expect(attempts[0].responseHeaders).toMatchObject({ 'x-reason': 'maintenance', 'content-type': 'text/plain' });
    expect(attempts[1]).toMatchObject({ statusCode: 200, responseBody: 'ok' });

    // Stored as "the standard envelope of the event", not as a copy.
    const stored = await server.hookd.store.listAttempts(delivery.id, { limit: 10, cursor: null });
    expect(stored.items.map((attempt) => attempt.requestBodySource)).toEqual(['standard', 'standard']);
  });

  it('rebuilds a raw body from the event, and keeps a templated body with its attempt', async () => {
    await createEndpoint(server, { url: `${receiver.url}/raw`, eventTypes: ['fax.sent'], body: { format: 'raw' } });
    await createEndpoint(server, { url: `${receiver.url}/text`, eventTypes: ['fax.sent'], body: { format: 'text', template: 'fax {{data.faxId}} sent' } });
    const { id } = await postEvent(server, { type: 'fax.sent', payload: { faxId: 9, pages: [1, 2] } });
    const deliveries = await waitFor(
      async () => {
        const found = await deliveriesOf(server, id);
        return found.length === 2 && found.every((d) => d.status === 'succeeded') ? found : null;
      },
      { what: 'both deliveries' },
    );
    for (const delivery of deliveries) {
      const path = new URL(delivery.url as string).pathname;
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt.requestBody).toBe(receiver.requestsTo(path)[0]!.body);
      const [stored] = (await server.hookd.store.listAttempts(delivery.id, { limit: 1, cursor: null })).items;
      expect(stored!.requestBodySource).toBe(path === '/raw' ? 'raw' : null);
    }
    expect(receiver.requestsTo('/text')[0]!.body).toBe('fax 9 sent');
  });

  it('stores hookd.delivery.failed only when an endpoint subscribes to it, and delivers it then', async () => {
    receiver.script('/broken', [{ status: 500 }]);
    const broken = await createEndpoint(server, {
      url: `${receiver.url}/broken`,
      eventTypes: ['call.ended'],
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 1 },
    });
    const failedEvents = async () =>
      (await server.request('GET', '/v1/events?type=hookd.delivery.failed&limit=100')).body.data as Json[];

    // Nobody listens: the exhausted delivery is failed, and no event is stored about it.
    const unheard = await postEvent(server, { type: 'call.ended', payload: { callId: 1 } });
    const unheardDelivery = await waitFor(async () => (await deliveriesOf(server, unheard.id)).find((d) => d.endpointId === broken.id && d.status === 'failed'), {
      what: 'the first failure',
    });

    // Then someone listens: the next exhausted delivery is stored and delivered to it.
    await createEndpoint(server, { url: `${receiver.url}/alerts`, eventTypes: ['hookd.delivery.failed'] });
    const heard = await postEvent(server, { type: 'call.ended', payload: { callId: 2 } });
    const alert = await waitFor(() => receiver.requestsTo('/alerts')[0], { what: 'the hookd.delivery.failed alert' });
    expect(JSON.parse(alert.body)).toMatchObject({ type: 'hookd.delivery.failed', data: { eventId: heard.id, endpointId: broken.id, lastStatusCode: 500 } });

    // The first failure was routed (to nobody) long before the second one's alert was delivered.
    const stored = await failedEvents();
    expect(stored.map((event) => event.payload.eventId)).toEqual([heard.id]);
    expect(JSON.stringify(stored)).not.toContain(unheardDelivery.id);
    const [storedEvent] = stored;
    expect((await server.request('GET', `/v1/events/${storedEvent.id}`)).body.deliveries).toHaveLength(1);
  });
});
