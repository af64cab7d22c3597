import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// Generated garbage at every route — bodies, ids, query strings, content types, credentials and
// other headers: never a 5xx, always the contract's error body for a 4xx, the
// server stays ready, and the data that was there is intact. The server runs as an API node only
// (no worker): endpoints with generated URLs are never delivered to, so nothing leaves loopback.

const ROUTES: Array<[method: string, path: string]> = [
  ['POST', '/v1/keys'],
  ['GET', '/v1/keys'],
  ['DELETE', '/v1/keys/{id}'],
  ['GET', '/v1/accounts'],
  ['GET', '/v1/accounts/{id}'],
  ['PUT', '/v1/accounts/{id}'],
  ['POST', '/v1/accounts/{id}/portal-sessions'],
  ['GET', '/v1/accounts/{id}/callback-secret'],
  ['GET', '/v1/me'],
  ['GET', '/v1/event-types'],
  ['POST', '/v1/event-types'],
  ['GET', '/v1/event-types/{id}'],
  ['PUT', '/v1/event-types/{id}'],
  ['DELETE', '/v1/event-types/{id}'],
  ['POST', '/v1/endpoints'],
  ['GET', '/v1/endpoints'],
  ['POST', '/v1/endpoints/preview'],
  ['GET', '/v1/endpoints/{id}'],
  ['PATCH', '/v1/endpoints/{id}'],
  ['DELETE', '/v1/endpoints/{id}'],
  // Only ids that do not exist reach it (the seed endpoint is skipped below), so nothing is sent.
  ['POST', '/v1/endpoints/{id}/test'],
  ['GET', '/v1/endpoints/{id}/secret'],
  ['POST', '/v1/endpoints/{id}/secret/rotate'],
  ['POST', '/v1/endpoints/{id}/recover'],
  ['GET', '/v1/endpoints/{id}/stats'],
  // The one route without a key: garbage ids (and credentials, ignored) must still answer 4xx.
  ['GET', '/v1/public-keys/{id}'],
  ['POST', '/v1/events'],
  ['POST', '/v1/events/batch'],
  ['GET', '/v1/events'],
  ['GET', '/v1/events/{id}'],
  ['POST', '/v1/events/{id}/replay'],
  ['GET', '/v1/deliveries'],
  ['GET', '/v1/deliveries/{id}'],
  ['GET', '/v1/deliveries/{id}/attempts'],
  ['POST', '/v1/deliveries/{id}/retry'],
  ['DELETE', '/v1/deliveries/{id}'],
  ['POST', '/v1/operations'],
  ['GET', '/v1/operations'],
  ['GET', '/v1/operations/{id}'],
  ['POST', '/v1/operations/{id}/complete'],
  ['GET', '/v1/callback-secret'],
];

/** Valid bodies whose fields the fuzzer replaces one at a time: garbage that gets past the first check. */
const VALID: Record<string, Record<string, unknown>> = {
  '/v1/keys': { kind: 'account', accountId: 'acme', name: 'n' },
  '/v1/event-types': { name: 'fuzz.type', description: 'd', schema: { type: 'object', properties: { a: { type: 'string', pattern: '^[a-z]+$' } } }, examples: [{}] },
  '/v1/endpoints': { url: 'https://example.com/h', eventTypes: ['*'], method: 'POST', headers: { 'X-A': '{{data.a}}' }, body: { format: 'text', template: '{{data.a}}' }, retry: { schedule: 'custom', delaysSeconds: [1] }, timeoutMs: 1000, signing: 'both', signingKey: `whsk_${Buffer.alloc(32, 1).toString('base64')}` },
  '/v1/events': { type: 'fuzz.seed', payload: { a: 1 }, id: 'fuzz-1', accountId: 'acme', correlationId: 'c', occurredAt: '2026-01-01T00:00:00.000Z' },
  '/v1/operations': { type: 'fuzz.seed', subject: 's', timeoutSeconds: 60, data: {} },
};

const anyJson = fc.jsonValue({ maxDepth: 4 });
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\r\n', '\u0000', '../../etc/passwd', '%00', '{{', '}}', '{{constructor}}', '__proto__', 'null', '-1', '1e309', 'ep_' + 'A'.repeat(26)),
);
const anyValue = fc.oneof(anyJson, weirdString, fc.integer(), fc.double(), fc.constant(null), fc.boolean());

function bodyFor(path: string) {
  const base = VALID[path.replace(/\/\{id\}.*/, '')] ?? VALID[path];
  return fc.oneof(
    anyJson,
    weirdString,
    base === undefined ? anyJson : fc.tuple(fc.constantFrom(...Object.keys(base)), anyValue).map(([key, value]) => ({ ...base, [key]: value })),
    base === undefined ? anyJson : fc.tuple(weirdString, anyValue).map(([key, value]) => ({ ...base, [key]: value })),
  );
}

/** Header values a client can send: printable ASCII (fetch refuses control characters itself). */
const headerValue = fc.stringMatching(/^[!-~][ -~]{0,300}$/);
/** Mostly the admin key, so most requests reach the handlers; sometimes garbage credentials. */
const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant('ADMIN') },
  { weight: 1, arbitrary: headerValue.map((value) => `Bearer ${value}`) },
  { weight: 1, arbitrary: fc.oneof(headerValue, fc.constant('Bearer'), fc.constant('Basic YWRtaW46YWRtaW4=')) },
);
const extraHeaders = fc.dictionary(
  fc.oneof(
    fc.constantFrom('accept', 'accept-encoding', 'accept-language', 'cookie', 'origin', 'x-api-key', 'x-forwarded-for', 'x-request-id', 'webhook-signature', 'if-none-match', 'range'),
    fc.stringMatching(/^x-[a-z0-9-]{1,40}$/),
  ),
  headerValue,
  { maxKeys: 3 },
);

const request = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.oneof(weirdString, fc.constantFrom('SEED_ENDPOINT', 'fuzz-seed-event', 'acme', 'fuzz.seed')),
    fc.dictionary(fc.constantFrom('limit', 'cursor', 'accountId', 'status', 'type', 'since', 'until', 'active', 'eventType', 'x'), weirdString, { maxKeys: 3 }),
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', ''),
    authorization,
    extraHeaders,
  )
  .chain(([[method, template], id, query, contentType, auth, extra]) =>
    bodyFor(template).map((body) => ({ method, template, id, query, contentType, auth, extra, body })),
  );

describe('fuzzing every route', () => {
  let server: TestServer;
  let seedEndpoint: Record<string, unknown>;
  let seedSecret: string;

  beforeAll(async () => {
    // Behind one trusted proxy, each fuzzed request comes from an address of its own (the last
    // X-Forwarded-For entry, below): the garbage credentials it sends must not get the test's own
    // address throttled (20 failed authentications a minute), which would turn the admin's
    // requests into 429s and leave the handlers unfuzzed.
    server = await startServer({ HOOKD_ROLE: 'api', HOOKD_ALLOW_PRIVATE_URLS: 'false', HOOKD_STRICT_EVENT_TYPES: 'true', HOOKD_TRUST_PROXY: 'true' });
    await server.request('POST', '/v1/event-types', { name: 'fuzz.seed', examples: [{ a: 1 }] });
    const created = (await server.request('POST', '/v1/endpoints', { url: 'https://example.com/seed', eventTypes: ['fuzz.seed'] })).body;
    seedSecret = created.secret;
    delete created.secret;
    seedEndpoint = created;
    await server.request('POST', '/v1/events', { type: 'fuzz.seed', payload: { a: 1 }, id: 'fuzz-seed-event' });
  });
  afterAll(async () => server?.close());

  it('never answers 5xx, always with the contract\'s error body, and keeps the data intact', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ method, template, id, query, contentType, auth, extra, body }) => {
        const resolvedId = id === 'SEED_ENDPOINT' ? String(seedEndpoint.id) : encodeURIComponent(id);
        // Mutating the seed endpoint itself is fine to try, but not to succeed at: keep it as it was.
        if (resolvedId === seedEndpoint.id && method !== 'GET') return;
        const path = template.replace('{id}', resolvedId || '%20');
        const search = new URLSearchParams(query as Record<string, string>).toString();
        const headers: Record<string, string> = { ...extra, authorization: auth === 'ADMIN' ? `Bearer ${server.adminKey}` : auth };
        // The fuzzed X-Forwarded-For (if any) stays in front; the proxy's own entry comes last.
        sent += 1;
        const client = `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}`;
        headers['x-forwarded-for'] = extra['x-forwarded-for'] === undefined ? client : `${extra['x-forwarded-for']}, ${client}`;
        if (contentType !== '') headers['content-type'] = contentType;
        const hasBody = method !== 'GET' && method !== 'DELETE';
        const response = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, {
          method,
          headers,
          body: hasBody ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        expect(response.status, `${method} ${path} → ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) {
          const parsed = JSON.parse(text) as { error: { code: string; message: string } };
          expect(typeof parsed.error.code).toBe('string');
          expect(typeof parsed.error.message).toBe('string');
        }
      }),
      { numRuns: 400 },
    );

    expect((await server.request('GET', '/ready', undefined, null)).status).toBe(200);
    const after = (await server.request('GET', `/v1/endpoints/${String(seedEndpoint.id)}`)).body;
    expect({ ...after, updatedAt: seedEndpoint.updatedAt }).toEqual(seedEndpoint);
    expect((await server.request('GET', `/v1/endpoints/${String(seedEndpoint.id)}/secret`)).body.secret).toBe(seedSecret);
    expect((await server.request('GET', '/v1/events/fuzz-seed-event')).body.payload).toEqual({ a: 1 });
  }, 120_000);
});
