import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Receivers in control (README): the `webhook-delivery` response header ends a delivery
// (`abort-message`) or disables the endpoint (`disable`). Runs on both backends.

describe('delivery-control headers', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'order.paid', 'order.shipped');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  async function deliveryTo(endpointId: string, eventId: string) {
    const data = (await server.request('GET', `/v1/deliveries?endpointId=${endpointId}&eventId=${eventId}`)).body.data as Array<Record<string, Json>>;
    return data[0] ?? null;
  }

  async function settled(endpointId: string, eventId: string, status: string) {
    return waitFor(
      async () => {
        const delivery = await deliveryTo(endpointId, eventId);
        return delivery?.status === status ? delivery : null;
      },
      { what: `the delivery of ${eventId} to be ${status}` },
    );
  }

  it('500 with abort-message ends the delivery as aborted after one attempt, though retries were left, and raises no failure alert', async () => {
    receiver.script('/abort', [{ status: 500, headers: { 'Webhook-Delivery': 'Abort-Message' }, body: 'no thanks' }]);
    receiver.script('/exhausted', [{ status: 500 }]);
    await createEndpoint(server, { url: `${receiver.url}/failure-alerts`, eventTypes: ['hookd.delivery.failed'] });
    const aborting = await createEndpoint(server, {
      url: `${receiver.url}/abort`,
      eventTypes: ['order.paid'],
      retry: { schedule: 'custom', delaysSeconds: [1, 1, 1] },
    });
    const { id } = await postEvent(server, { type: 'order.paid', payload: { order: 1 } });
    const aborted = await settled(aborting.id, id, 'aborted');

    expect(aborted).toMatchObject({ attempts: 1, nextAttemptAt: null, lastStatusCode: 500 });
    expect(aborted.completedAt).not.toBeNull();
    const attempts = (await server.request('GET', `/v1/deliveries/${aborted.id}/attempts`)).body.data as Array<Record<string, Json>>;
    expect(attempts).toHaveLength(1);
    expect(receiver.requestsTo('/abort')).toHaveLength(1);
    // The list filters by the new status.
    const listed = (await server.request('GET', `/v1/deliveries?status=aborted&endpointId=${aborting.id}`)).body.data as Array<Record<string, Json>>;
    expect(listed.map((d) => d.id)).toEqual([aborted.id]);

    // The receiver asked for it: no hookd.delivery.failed. A delivery that does exhaust its retries
    // afterwards is announced, and the aborted one never is.
    const exhausting = await createEndpoint(server, {
      url: `${receiver.url}/exhausted`,
      eventTypes: ['order.shipped'],
      retry: { schedule: 'custom', delaysSeconds: [1] },
    });
    const shipped = await postEvent(server, { type: 'order.shipped', payload: { order: 1 } });
    await waitFor(
      () => receiver.requestsTo('/failure-alerts').find((r) => JSON.parse(r.body).data.endpointId === exhausting.id),
      { what: 'the failure alert of the exhausted delivery' },
    );
    expect(receiver.requestsTo('/failure-alerts').map((r) => JSON.parse(r.body).data.eventId)).toEqual([shipped.id]);
    expect(receiver.requestsTo('/abort')).toHaveLength(1);
  });

  it('abort-message on a 2xx means nothing: the delivery succeeded', async () => {
    receiver.script('/abort-ok', [{ status: 200, headers: { 'webhook-delivery': 'abort-message' } }]);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/abort-ok`, eventTypes: ['order.paid'] });
    const { id } = await postEvent(server, { type: 'order.paid', payload: { order: 2 } });
    expect(await settled(endpoint.id, id, 'succeeded')).toMatchObject({ attempts: 1 });
  });

  it('200 with disable disables the endpoint, announces it with hookd.endpoint.disabled, and no further events go to it', async () => {
    receiver.script('/leaving', [{ status: 200, headers: { 'Webhook-Delivery': 'DISABLE' } }]);
    await createEndpoint(server, { url: `${receiver.url}/disabled-alerts`, eventTypes: ['hookd.endpoint.disabled'] });
    const leaving = await createEndpoint(server, { url: `${receiver.url}/leaving`, eventTypes: ['order.shipped'] });
    const { id } = await postEvent(server, { type: 'order.shipped', payload: { order: 3 } });
    await settled(leaving.id, id, 'succeeded');

    const alert = await waitFor(
      () => receiver.requestsTo('/disabled-alerts').find((r) => JSON.parse(r.body).data.endpointId === leaving.id),
      { what: 'the endpoint.disabled alert' },
    );
    expect(JSON.parse(alert.body)).toMatchObject({
      type: 'hookd.endpoint.disabled',
      data: { endpointId: leaving.id, url: leaving.url, reason: 'receiver: webhook-delivery disable' },
    });
    const after = (await server.request('GET', `/v1/endpoints/${leaving.id}`)).body;
    expect(after).toMatchObject({ active: false, disabledReason: 'receiver: webhook-delivery disable' });

    // A witness endpoint hears the next event; the disabled one is not sent it.
    const witness = await createEndpoint(server, { url: `${receiver.url}/witness`, eventTypes: ['order.shipped'] });
    const next = await postEvent(server, { type: 'order.shipped', payload: { order: 4 } });
    await settled(witness.id, next.id, 'succeeded');
    const notSent = await deliveryTo(leaving.id, next.id);
    expect(notSent === null || !['pending', 'sending', 'succeeded'].includes(notSent.status as string)).toBe(true);
    expect(receiver.requestsTo('/leaving')).toHaveLength(1);
  });

  it('500 with disable disables the endpoint, and its scheduled retry ends without being sent', async () => {
    receiver.script('/closing', [{ status: 500, headers: { 'webhook-delivery': ' disable ' } }]);
    const closing = await createEndpoint(server, {
      url: `${receiver.url}/closing`,
      eventTypes: ['order.paid'],
      retry: { schedule: 'custom', delaysSeconds: [1, 1] },
    });
    const { id } = await postEvent(server, { type: 'order.paid', payload: { order: 5 } });
    const ended = await settled(closing.id, id, 'failed');
    expect(ended).toMatchObject({ attempts: 1, lastError: 'endpoint_disabled' });
    expect((await server.request('GET', `/v1/endpoints/${closing.id}`)).body).toMatchObject({
      active: false,
      disabledReason: 'receiver: webhook-delivery disable',
    });
    expect(receiver.requestsTo('/closing')).toHaveLength(1);
  });
});
