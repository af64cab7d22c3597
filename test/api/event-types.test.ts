import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// The event catalog: what every key kind may read, what admins write, and hookd's own types that
// nobody may change.

describe('event types', () => {
  let server: TestServer;
  let accountKey: string;

  beforeAll(async () => {
    server = await startServer();
    accountKey = (await server.request('POST', '/v1/keys', { kind: 'account', accountId: 'acme' })).body.key;
  });
  afterAll(async () => server?.close());

  it('creates a type with its schema, derives its parameters, and refuses the same name twice', async () => {
    const created = await server.request('POST', '/v1/event-types', {
      name: 'sms.received',
      description: 'An SMS arrived',
      category: 'sms',
      schema: { type: 'object', properties: { from: { type: 'string', description: 'sender' }, meta: { type: 'object', properties: { len: { type: 'integer' } } } } },
      examples: [{ from: '+33', meta: { len: 3 } }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'sms.received',
      description: 'An SMS arrived',
      category: 'sms',
      archived: false,
      builtIn: false,
      parameters: [
        { path: 'from', type: 'string', description: 'sender' },
        { path: 'meta.len', type: 'integer', description: '' },
      ],
    });
    const again = await server.request('POST', '/v1/event-types', { name: 'sms.received' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('derives parameters from the first example when there is no schema, and keeps those given', async () => {
    const derived = await server.request('POST', '/v1/event-types', { name: 'fax.sent', examples: [{ faxId: 1, pages: { count: 2 } }] });
    expect(derived.body.parameters.map((p: { path: string }) => p.path)).toEqual(['faxId', 'pages.count']);
    const given = [{ path: 'callId', type: 'string', description: 'the call' }];
    const explicit = await server.request('POST', '/v1/event-types', { name: 'call.started', parameters: given, examples: [{ other: 1 }] });
    expect(explicit.body.parameters).toEqual(given);
  });

  it('is readable one by one with any key kind; unknown names are 404', async () => {
    const one = await server.request('GET', '/v1/event-types/sms.received', undefined, accountKey);
    expect(one.status).toBe(200);
    expect(one.body.name).toBe('sms.received');
    expect((await server.request('GET', '/v1/event-types/no.such.type')).status).toBe(404);
    expect((await server.request('GET', '/v1/event-types?category=sms', undefined, accountKey)).body.data.map((t: { name: string }) => t.name)).toEqual([
      'sms.received',
    ]);
  });

  it('replaces a type with PUT (absent fields reset), and archives and restores it', async () => {
    await server.request('POST', '/v1/event-types', { name: 'ticket.update', description: 'old', category: 'tickets', examples: [{ a: 1 }] });
    const replaced = await server.request('PUT', '/v1/event-types/ticket.update', {
      description: 'new',
      schema: { type: 'object', required: ['state'], properties: { state: { enum: ['open', 'closed'] } } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ description: 'new', category: null, examples: [], parameters: [{ path: 'state', type: 'any' }] });
    // The new schema applies to events at once.
    expect((await server.request('POST', '/v1/events', { type: 'ticket.update', payload: { state: 'lost' } })).status).toBe(400);
    expect((await server.request('POST', '/v1/events', { type: 'ticket.update', payload: { state: 'open' } })).status).toBe(202);

    expect((await server.request('DELETE', '/v1/event-types/ticket.update')).status).toBe(204);
    const names = async (query: string) => (await server.request('GET', `/v1/event-types?limit=250${query}`)).body.data.map((t: { name: string }) => t.name);
    expect(await names('')).not.toContain('ticket.update');
    expect(await names('&includeArchived=true')).toContain('ticket.update');
    expect((await server.request('POST', '/v1/events', { type: 'ticket.update', payload: { state: 'open' } })).status).toBe(400);

    const restored = await server.request('PUT', '/v1/event-types/ticket.update', { description: 'new', archived: false });
    expect(restored.body.archived).toBe(false);
    expect((await server.request('POST', '/v1/events', { type: 'ticket.update', payload: {} })).status).toBe(202);
    expect((await server.request('PUT', '/v1/event-types/no.such.type', {})).status).toBe(404);
    expect((await server.request('DELETE', '/v1/event-types/no.such.type')).status).toBe(404);
  });

  it.each([
    ['a schema that does not compile', { name: 'bad.schema', schema: { type: 'no-such-type' } }, '/schema'],
    ['an example that contradicts the schema', { name: 'bad.example', schema: { type: 'object', required: ['id'] }, examples: [{}] }, '/examples/0'],
    ['a malformed name', { name: 'has space' }, '/name'],
    ['an unknown field', { name: 'x.y', color: 'red' }, '/color'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const response = await server.request('POST', '/v1/event-types', body);
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses a schema pattern that can backtrack catastrophically, naming its JSON pointer', async () => {
    const response = await server.request('POST', '/v1/event-types', {
      name: 'slow.pattern',
      schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } },
    });
    expect(response.status).toBe(400);
    // The field is the pattern's own pointer inside the body, so a form can mark the exact input.
    const detail = response.body.error.details.find((d: { field: string }) => d.field === '/schema/properties/name/pattern');
    expect(detail.message).toContain('/properties/name/pattern');
    expect(detail.message).toContain('^(a+)+$');
    expect((await server.request('GET', '/v1/event-types/slow.pattern')).status).toBe(404);
  });

  it('lists hookd\'s own types as built in, and refuses to create, change or archive any hookd.* type', async () => {
    const builtIn = await server.request('GET', '/v1/event-types/hookd.delivery.failed', undefined, accountKey);
    expect(builtIn.body).toMatchObject({ name: 'hookd.delivery.failed', builtIn: true, archived: false });
    for (const name of ['hookd.delivery.failed', 'hookd.endpoint.disabled', 'hookd.operation.timed_out']) {
      expect((await server.request('GET', `/v1/event-types/${name}`)).status, name).toBe(200);
      expect((await server.request('PUT', `/v1/event-types/${name}`, { description: 'mine now' })).status, name).toBe(403);
      expect((await server.request('DELETE', `/v1/event-types/${name}`)).status, name).toBe(403);
    }
    expect((await server.request('POST', '/v1/event-types', { name: 'hookd.custom' })).status).toBe(403);
    expect((await server.request('GET', '/v1/event-types/hookd.delivery.failed')).body.description).not.toBe('mine now');
  });
});
