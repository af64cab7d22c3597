import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// A payload schema runs on every event of its type, on the event loop. These payloads take
// minutes on a backtracking regex engine, or with pairwise uniqueItems (measured: `^a*a*a*a*a*$`
// on 301 characters 505 s, 20,000 distinct objects 26 s); were validation not bounded by the
// payload's size, the requests below would outlast the test's timeout.

const HOSTILE_SCHEMA = {
  type: 'object',
  properties: {
    // Accepted on save (no nesting), yet polynomial of degree five when backtracking.
    code: { type: 'string', pattern: '^a*a*a*a*a*$' },
    // Unanchored: a backtracking engine tries every start, quadratic in the string.
    note: { type: 'string', pattern: 'a+x' },
    link: { type: 'string', format: 'url' },
    items: { type: 'array', uniqueItems: true },
  },
  patternProperties: { '^b*b*b*b*b*$': { type: 'string' } },
};

describe('validation time per event is bounded by the payload size', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    const created = await server.request('POST', '/v1/event-types', { name: 'hostile.schema', schema: HOSTILE_SCHEMA });
    expect(created.status).toBe(201);
  });
  afterAll(async () => server?.close());

  const hostilePayloads: [string, unknown, string][] = [
    ['a polynomial pattern', { code: 'a'.repeat(5_000) + '!' }, '/payload/code'],
    ['an unanchored pattern', { note: 'a'.repeat(200_000) }, '/payload/note'],
    // The long key matches no pattern; `bb` matches and its value is not a string.
    ['a patternProperties key', { ['b'.repeat(5_000) + '!']: 1, bb: 2 }, '/payload/bb'],
    ['the url format', { link: 'http://' + ':'.repeat(200_000) + ' ' }, '/payload/link'],
    ['uniqueItems over many objects', { items: [...Array.from({ length: 20_000 }, (_, i) => ({ i })), { i: 0 }] }, '/payload/items'],
  ];

  for (const [what, payload, field] of hostilePayloads) {
    it(`answers a single event against ${what} with a 400 naming the field`, async () => {
      const response = await server.request('POST', '/v1/events', { type: 'hostile.schema', payload });
      expect(response.status).toBe(400);
      expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
    });
  }

  it('answers a batch of hostile events with a 400 naming the event and field', async () => {
    const events = [
      { type: 'hostile.schema', payload: { code: 'aaa' } },
      { type: 'hostile.schema', payload: { code: 'a'.repeat(5_000) + '!', note: 'a'.repeat(100_000) } },
    ];
    const response = await server.request('POST', '/v1/events/batch', { events });
    expect(response.status).toBe(400);
    const fields = response.body.error.details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['/events/1/payload/code', '/events/1/payload/note']));
  });

  it('still accepts payloads that match', async () => {
    const payload = { code: 'a'.repeat(5_000), note: 'aaax', link: 'https://example.com/x', items: [{ a: 1, b: 2 }, { a: 2 }] };
    expect((await server.request('POST', '/v1/events', { type: 'hostile.schema', payload })).status).toBe(202);
  });

  it('finds duplicates whatever the key order, as JSON Schema defines equality', async () => {
    const payload = { items: [{ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }] };
    const response = await server.request('POST', '/v1/events', { type: 'hostile.schema', payload });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].message).toContain('duplicate items');
  });

  it('refuses on save, naming the pattern, look-arounds and back-references that cannot run in linear time', async () => {
    for (const [schema, field] of [
      [{ properties: { a: { type: 'string', pattern: '^(?=.*\\d)\\w+$' } } }, '/schema/properties/a/pattern'],
      [{ patternProperties: { '^(x)\\1$': {} } }, '/schema/patternProperties/^(x)\\1$'],
      [{ propertyNames: { pattern: '^(?!tmp)' } }, '/schema/propertyNames/pattern'],
    ] as const) {
      const response = await server.request('PUT', '/v1/event-types/hostile.schema', { schema });
      expect(response.status, JSON.stringify(schema)).toBe(400);
      const detail = response.body.error.details[0];
      expect(detail.field).toBe(field);
      expect(detail.message).toContain('linear');
    }
    // The refused updates left the type as it was.
    const stored = await server.request('GET', '/v1/event-types/hostile.schema');
    expect(stored.body.schema).toEqual(HOSTILE_SCHEMA);
  });
});
