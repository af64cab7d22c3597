import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('ingest', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'inbound_fax', 'outbound_fax');
    await createEndpoint(server, { url: `${receiver.url}/fax`, eventTypes: ['inbound_fax', 'outbound_fax'] });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('treats a repeated client id within 24 h as the same event: 200, no new deliveries', async () => {
    const event = { type: 'inbound_fax', id: 'fax-1-received', payload: { faxId: 1, accountId: 'acme' } };
    const first = await server.request('POST', '/v1/events', event);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: 'fax-1-received', deliveries: 1 });
    const second = await server.request('POST', '/v1/events', { ...event, payload: { faxId: 999 } });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    await waitFor(() => receiver.requestsTo('/fax').some((r) => r.body.includes('"faxId":1')));
    const deliveries = (await server.request('GET', '/v1/deliveries?eventId=fax-1-received')).body.data;
    expect(deliveries).toHaveLength(1);
    expect((await server.request('GET', '/v1/events/fax-1-received')).body.payload).toEqual({ faxId: 1, accountId: 'acme' });
  });

  it('ingests a batch in one transaction and reports duplicates per item', async () => {
    const batch = await server.request('POST', '/v1/events/batch', {
      events: [
        { type: 'inbound_fax', payload: { faxId: 10 } },
        { type: 'outbound_fax', payload: { faxId: 11, status: 'success' }, id: 'batch-b' },
        { type: 'outbound_fax', payload: { faxId: 11, status: 'success' }, id: 'batch-b' },
      ],
    });
    expect(batch.status).toBe(202);
    expect(batch.body.data.map((item: { deliveries: number; duplicate: boolean }) => [item.deliveries, item.duplicate])).toEqual([
      [1, false],
      [1, false],
      [1, true],
    ]);
  });

  it('stores nothing of a batch with one bad event, and names the bad field', async () => {
    const before = (await server.request('GET', '/v1/events?limit=250')).body.data.length;
    const batch = await server.request('POST', '/v1/events/batch', {
      events: [
        { type: 'inbound_fax', payload: { faxId: 20 } },
        { type: 'no_such_type', payload: {} },
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.body.error.code).toBe('validation_failed');
    expect(batch.body.error.details[0]).toMatchObject({ field: '/events/1/type', in: 'body' });
    expect((await server.request('GET', '/v1/events?limit=250')).body.data.length).toBe(before);
  });

  it('refuses batches over 500 events', async () => {
    const events = Array.from({ length: 501 }, (_, i) => ({ type: 'inbound_fax', payload: { i } }));
    const response = await server.request('POST', '/v1/events/batch', { events });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe('/events');
  });

  it('validates payloads against the event type\'s JSON Schema', async () => {
    const created = await server.request('POST', '/v1/event-types', {
      name: 'schema.checked',
      schema: {
        type: 'object',
        required: ['faxId'],
        properties: { faxId: { type: 'integer', description: 'the fax' }, status: { enum: ['busy', 'success'] } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.parameters).toEqual([
      { path: 'faxId', type: 'integer', description: 'the fax' },
      { path: 'status', type: 'any', description: '' },
    ]);
    const bad = await server.request('POST', '/v1/events', { type: 'schema.checked', payload: { status: 'lost' } });
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['/payload/faxId', '/payload/status']);
    const good = await server.request('POST', '/v1/events', { type: 'schema.checked', payload: { faxId: 3, status: 'busy' } });
    expect(good.status).toBe(202);
  });

  it('refuses an archived type in strict mode', async () => {
    await createEventTypes(server, 'old.type');
    expect((await server.request('DELETE', '/v1/event-types/old.type')).status).toBe(204);
    const response = await server.request('POST', '/v1/events', { type: 'old.type', payload: {} });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('archived');
    const listed = (await server.request('GET', '/v1/event-types?limit=250')).body.data.map((t: { name: string }) => t.name);
    expect(listed).not.toContain('old.type');
    expect(listed).toContain('hookd.delivery.failed');
  });

  it('never lets a client publish hookd.* events', async () => {
    const response = await server.request('POST', '/v1/events', { type: 'hookd.delivery.failed', payload: {} });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe('/type');
  });

  it.each([
    ['a missing type', { payload: {} }, '/type'],
    ['a missing payload', { type: 'inbound_fax' }, '/payload'],
    ['a malformed type', { type: 'bad type!', payload: {} }, '/type'],
    ['an unknown field', { type: 'inbound_fax', payload: {}, extra: 1 }, '/extra'],
    ['a bad occurredAt', { type: 'inbound_fax', payload: {}, occurredAt: 'yesterday' }, '/occurredAt'],
    ['a bad id', { type: 'inbound_fax', payload: {}, id: 'has spaces' }, '/id'],
    ['a non-http callbackUrl', { type: 'inbound_fax', payload: {}, callbackUrl: 'ftp://example.com/x' }, '/callbackUrl'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const response = await server.request('POST', '/v1/events', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('answers 413 for a payload over 256 KiB, and 413 for a body over the limit', async () => {
    const big = await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { blob: 'x'.repeat(256 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const huge = await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { blob: 'x'.repeat(400 * 1024) } });
    expect(huge.status).toBe(413);
  });

  it('answers 415 for a body that is not JSON, and 400 for broken JSON', async () => {
    const text = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    const broken = await server.request('POST', '/v1/events', '{"type": "inbound_fax", ');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('validation_failed');
  });

  it('sends an event with a callbackUrl to that URL without any subscription, signed with the callback secret', async () => {
    const { secret } = (await server.request('GET', '/v1/callback-secret')).body;
    expect(secret).toMatch(/^whsec_/);
    const response = await server.request('POST', '/v1/events', {
      type: 'outbound_fax',
      payload: { faxId: 77, status: 'busy' },
      callbackUrl: `${receiver.url}/one-off?ref=77`,
    });
    expect(response.body.deliveries).toBe(2);
    const request = await waitFor(() => receiver.requestsTo('/one-off')[0]);
    expect(request.url).toBe('/one-off?ref=77');
    const { Webhook } = await import('standardwebhooks');
    const verified = new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'outbound_fax', data: { faxId: 77 } });
  });

  it('lists events newest first with filters and cursors', async () => {
    for (let i = 0; i < 5; i++) {
      await server.request('POST', '/v1/events', { type: 'outbound_fax', payload: { i }, correlationId: 'page-test' });
    }
    const first = await server.request('GET', '/v1/events?correlationId=page-test&limit=2');
    expect(first.body.data.map((e: Json) => e.payload.i)).toEqual([4, 3]);
    const second = await server.request('GET', `/v1/events?correlationId=page-test&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((e: Json) => e.payload.i)).toEqual([2, 1]);
    const third = await server.request('GET', `/v1/events?correlationId=page-test&limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.data.map((e: Json) => e.payload.i)).toEqual([0]);
    expect(third.body.nextCursor).toBeNull();
  });

  it.each(['0', '251', 'abc', '-1'])('answers 400 for limit=%s', async (limit) => {
    const response = await server.request('GET', `/v1/events?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(response.body.error.details[0]).toMatchObject({ field: '/limit', in: 'query' });
  });

  it('answers 400 for a cursor it did not give out', async () => {
    const response = await server.request('GET', '/v1/events?cursor=not-a-cursor');
    expect(response.status).toBe(400);
    expect(response.body.error.details[0]).toMatchObject({ field: '/cursor', in: 'query' });
  });
});

describe('idempotency window and refused callback URLs', () => {
  let server: TestServer;
  /** Added to the real time: lets a test step past the 24 h idempotency window. */
  let offsetMs = 0;

  beforeAll(async () => {
    server = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' }, undefined, { now: () => Date.now() + offsetMs });
    await createEventTypes(server, 'inbound_fax');
  });
  afterAll(async () => server?.close());

  it('answers 409 conflict to an id reused after 24 h while its event is kept, and stores nothing of that batch', async () => {
    expect((await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { n: 1 }, id: 'fax-old' })).status).toBe(202);
    offsetMs = 25 * 3600 * 1000;
    const single = await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: { n: 2 }, id: 'fax-old' });
    expect(single.status).toBe(409);
    expect(single.body.error).toMatchObject({ code: 'conflict', details: [{ field: '/id', in: 'body' }] });

    const batch = await server.request('POST', '/v1/events/batch', {
      events: [
        { type: 'inbound_fax', payload: { n: 3 }, id: 'fax-new' },
        { type: 'inbound_fax', payload: { n: 4 }, id: 'fax-old' },
      ],
    });
    expect(batch.status).toBe(409);
    expect(batch.body.error.details[0]).toMatchObject({ field: '/events/1/id' });
    expect((await server.request('GET', '/v1/events/fax-new')).status).toBe(404);
    expect((await server.request('GET', '/v1/events/fax-old')).body.payload).toEqual({ n: 1 });
  });

  it('answers 422 url_not_allowed to a callbackUrl on a private address', async () => {
    const response = await server.request('POST', '/v1/events', { type: 'inbound_fax', payload: {}, callbackUrl: 'http://169.254.169.254/latest' });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'url_not_allowed', details: [{ field: '/callbackUrl' }] });
  });
});
