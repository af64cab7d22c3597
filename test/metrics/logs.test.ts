import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, resolveLogFormat } from '../../src/log.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// What a real server logs, at the most verbose level, during traffic full of credentials: every
// line is JSON, and no key, secret, token or signature appears in any of them.

const METRICS_TOKEN = `scrape-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ENDPOINT_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HEADER_SECRET = `header-secret-${randomBytes(8).toString('hex')}`;
const BODY_SECRET = `body-secret-${randomBytes(8).toString('hex')}`;
/** pino's numeric levels, which `pino-pretty -L warn` and log stores filter on. */
const LEVEL = { debug: 20, info: 30, warn: 40 } as const;

describe('logs', () => {
  const lines: string[] = [];
  const sink = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((line) => line !== '')) };
  let server: TestServer;
  let receiver: Receiver;
  /** Every credential the traffic below involves: none may appear in the log. */
  const secrets = new Set<string>([METRICS_TOKEN, ENCRYPTION_KEY, ENDPOINT_SECRET, ENDPOINT_SECRET.slice(6), HEADER_SECRET, BODY_SECRET]);

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer(
      { HOOKD_METRICS_TOKEN: METRICS_TOKEN, HOOKD_ENCRYPTION_KEY: ENCRYPTION_KEY },
      undefined,
      undefined,
      createLogger('trace', sink),
    );
    secrets.add(server.adminKey);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('never carry a key, secret, token or signature, whatever the traffic', async () => {
    await createEventTypes(server, 'invoice.paid');
    // Keys of every kind: their clear values are in the replies.
    for (const body of [{ kind: 'publisher' }, { kind: 'account', accountId: 'acme' }, { kind: 'admin', name: 'ops' }]) {
      const created = await server.request('POST', '/v1/keys', body);
      expect(created.status).toBe(201);
      secrets.add(created.body.key);
    }
    // An endpoint with its own secret and credential headers; the receiver fails once, then accepts.
    receiver.script('/hooks', [{ status: 500, body: 'not yet' }, { status: 200 }]);
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/hooks`,
      eventTypes: ['invoice.paid'],
      secret: ENDPOINT_SECRET,
      headers: { Authorization: `Bearer ${HEADER_SECRET}`, 'X-Api-Key': HEADER_SECRET },
      retry: { schedule: 'custom', delaysSeconds: [1] },
    });
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.secret).toBe(ENDPOINT_SECRET);
    const rotated = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, {});
    expect(rotated.status).toBe(200);
    secrets.add(rotated.body.secret);
    secrets.add(rotated.body.secret.slice(6));
    secrets.add((await server.request('GET', '/v1/callback-secret')).body.secret);

    // A delivery, retried once, signed with both secrets.
    const { id } = await postEvent(server, { type: 'invoice.paid', payload: { invoice: 1, note: BODY_SECRET } });
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data[0]?.status === 'succeeded', {
      timeoutMs: 15_000,
      what: 'the delivery to succeed on its retry',
    });
    for (const request of receiver.requestsTo('/hooks')) {
      for (const signature of String(request.headers['webhook-signature']).split(' ')) secrets.add(signature.slice(3));
    }

    // Failures: a wrong key, a revoked one, a refused body carrying a secret, a refused scrape.
    const wrongKey = `hk_admin_${randomBytes(32).toString('base64url')}`;
    secrets.add(wrongKey);
    expect((await server.request('GET', '/v1/endpoints', undefined, wrongKey)).status).toBe(401);
    expect((await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/x`, secret: BODY_SECRET, bogus: 1 })).status).toBe(400);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${wrongKey}` } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);

    // The log has the lines an operator needs, all of them JSON…
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(10);
    for (const entry of entries) {
      // pino's standard line: numeric level, epoch-milliseconds time, pid, hostname, name.
      expect(entry).toMatchObject({ name: 'hookd', level: expect.any(Number), time: expect.any(Number), pid: process.pid, hostname: expect.any(String), msg: expect.any(String) });
      expect(Math.abs((entry.time as number) - Date.now())).toBeLessThan(600_000);
    }
    const answered = entries.filter((entry) => entry.msg === 'request answered');
    expect(answered).toContainEqual(expect.objectContaining({ level: LEVEL.info, statusCode: 401, path: '/v1/endpoints', method: 'GET' }));
    expect(answered).toContainEqual(expect.objectContaining({ level: LEVEL.info, statusCode: 400, path: '/v1/endpoints', method: 'POST' }));
    expect(answered).toContainEqual(expect.objectContaining({ level: LEVEL.debug, statusCode: 201, route: '/v1/keys', keyId: expect.stringMatching(/^key_/) }));
    const recorded = entries.filter((entry) => entry.msg === 'delivery recorded' && entry.eventId === id);
    expect(recorded.map((entry) => [entry.attempt, entry.status, entry.statusCode])).toEqual([
      [1, 'pending', 500],
      [2, 'succeeded', 200],
    ]);

    // …and not one credential in any of them.
    const log = lines.join('\n');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(15);
      expect(log, `a credential appears in the log`).not.toContain(secret);
    }
  });

  it('redacts credentials passed to the logger by mistake, at the top level or nested', () => {
    const captured: string[] = [];
    const log = createLogger('info', { write: (chunk: string) => void captured.push(chunk) });
    log.info(
      {
        key: 'k1-secret-value',
        secret: 's1-secret-value',
        config: { adminKey: 'a1-secret-value', databaseUrl: 'postgres://u:p1-secret-value@db/hookd', metricsToken: 't1-secret-value' },
        req: { headers: { authorization: 'Bearer r1-secret-value', 'x-api-key': 'x1-secret-value', 'content-type': 'application/json' } },
        request: { headers: { 'webhook-signature': 'v1,w1-secret-value', cookie: 'c1-secret-value' } },
      },
      'oops',
    );
    const text = captured.join('');
    expect(text).not.toMatch(/-secret-value/);
    expect(JSON.parse(text)).toMatchObject({ req: { headers: { 'content-type': 'application/json' } }, msg: 'oops' });
  });

  it("redacts an endpoint's receiver-auth secrets, in an auth object or an endpoint", () => {
    const captured: string[] = [];
    const log = createLogger('info', { write: (chunk: string) => void captured.push(chunk) });
    log.info({ auth: { type: 'basic', username: 'u', password: 'p2-secret-value' } }, 'auth');
    log.info({ endpoint: { id: 'ep_1', auth: { type: 'bearer', token: 'b2-secret-value' } } }, 'endpoint');
    log.info({ endpoint: { auth: { type: 'oauth2', clientId: 'c', clientSecret: 'o2-secret-value' } } }, 'oauth');
    log.info({ endpoint: { auth: { type: 'mtls', certPem: 'CERT', keyPem: 'k2-secret-value' } } }, 'mtls');
    const text = captured.join('');
    expect(text).not.toMatch(/-secret-value/);
    expect(text).toContain('"username":"u"');
  });

  it('render the same lines for a person in the pretty format, redacted alike', () => {
    const captured: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        captured.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink, 'pretty');
    log.warn({ deliveryId: 'dlv_1', secret: 's2-secret-value' }, 'endpoint slow');
    log.debug('not at info');
    const text = captured.join('');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: endpoint slow\n {4}deliveryId: "dlv_1"\n {4}secret: "\[redacted\]"\n$/);
    expect(text).not.toContain('\u001b[');
  });

  it('are pretty on a terminal and JSON anywhere else unless a format is chosen', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
