import { describe, expect, it } from 'vitest';
import { buildRequest, fieldKey, type RequestTarget } from './request.js';
import { sign } from './signing.js';
import type { HookEvent } from './types.js';

const event: HookEvent = {
  id: 'evt_1',
  type: 'call.started',
  accountId: 'acme',
  payload: '{"callId":"c1","from":"+33 1","pbx":{"ext":7},"note":"line1\\r\\nX-Injected: 1"}',
  correlationId: 'corr-9',
  callbackUrl: null,
  occurredAt: Date.parse('2026-11-22T10:07:00.000Z'),
  createdAt: 0,
};

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function target(overrides: Partial<RequestTarget>): RequestTarget {
  return { id: 'ep_1', title: 'CRM', url: 'https://example.com/hooks', method: 'POST', headers: {}, queryParams: {}, body: { format: 'standard' }, ...overrides };
}

function build(overrides: Partial<RequestTarget>) {
  return buildRequest({ target: target(overrides), event, deliveryId: 'dlv_ABC', secrets: [SECRET], timestampSeconds: 1700000000, userAgent: 'hookd/1.0.0' });
}

describe('buildRequest', () => {
  it('builds the standard body and Standard Webhooks headers', () => {
    const request = build({});
    expect(request.body).toBe(`{"type":"call.started","timestamp":"2026-11-22T10:07:00.000Z","data":${event.payload}}`);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'hookd/1.0.0',
      'webhook-id': 'msg_ABC',
      'webhook-timestamp': '1700000000',
      'webhook-event-type': 'call.started',
      'webhook-correlation-id': 'corr-9',
    });
    expect(request.headers['webhook-signature']).toBe(sign(SECRET, 'msg_ABC', 1700000000, request.body!));
  });

  it('sends the payload as stored for raw', () => {
    expect(build({ body: { format: 'raw' } }).body).toBe(event.payload);
  });

  it('picks json fields by path, keyed by their last segment or an alias, plus user parameters', () => {
    const request = build({ body: { format: 'json', fields: ['callId', 'pbx.ext', 'from:caller', 'missing'], userParams: { crm: 'x1', title: '{{endpoint.title}}', n: 3 } } });
    expect(JSON.parse(request.body!)).toEqual({ callId: 'c1', ext: 7, caller: '+33 1', crm: 'x1', title: 'CRM', n: 3 });
  });

  it('without chosen fields, json sends the whole payload plus user parameters', () => {
    expect(JSON.parse(build({ body: { format: 'json', userParams: { a: 1 } } }).body!)).toMatchObject({ callId: 'c1', a: 1 });
  });

  it('renders text bodies with their content type', () => {
    const request = build({ body: { format: 'text', template: '{{event.type}} {{data.callId}}', contentType: 'application/xml' } });
    expect(request.body).toBe('call.started c1');
    expect(request.headers['content-type']).toBe('application/xml');
  });

  it('GET: no body, no content type, fields in the query, signature over the request target', () => {
    const request = build({ method: 'GET', url: 'https://example.com/hooks?fixed=1', queryParams: { call: '{{data.callId}}' }, body: { format: 'json', fields: ['from', 'pbx'] } });
    expect(request.body).toBeNull();
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.url).toBe('https://example.com/hooks?fixed=1&call=c1&from=%2B33+1&pbx=%7B%22ext%22%3A7%7D');
    const target = '/hooks?fixed=1&call=c1&from=%2B33+1&pbx=%7B%22ext%22%3A7%7D';
    expect(request.headers['webhook-signature']).toBe(sign(SECRET, 'msg_ABC', 1700000000, target));
  });

  it('templates header values, removes line breaks a payload could inject, and never lets them override webhook-*', () => {
    const request = build({ headers: { 'X-Note': '{{data.note}}', 'Webhook-Id': 'forged', 'User-Agent': 'Cloud Apizee' } });
    expect(request.headers['x-note']).toBe('line1X-Injected: 1');
    expect(request.headers['webhook-id']).toBe('msg_ABC');
    expect(request.headers['user-agent']).toBe('Cloud Apizee');
  });

  it('percent-encodes template output above Latin-1 in a header, so an emoji never loses the delivery', () => {
    const emojiEvent = { ...event, payload: '{"from":"Zoë 📞","city":"Zürich"}' };
    const request = buildRequest({
      target: target({ headers: { 'X-Caller': '{{data.from}}', 'X-City': '{{data.city}}', 'X-Plain': 'as is' } }),
      event: emojiEvent,
      deliveryId: 'dlv_ABC',
      secrets: [SECRET],
      timestampSeconds: 1,
      userAgent: 'x',
    });
    expect(request.headers['x-caller']).toBe('Zoë %F0%9F%93%9E');
    expect(request.headers['x-city']).toBe('Zürich');
    expect(request.headers['x-plain']).toBe('as is');
  });

  it('leaves out headers refused on save that an endpoint saved before the rule still carries', () => {
    const request = build({ headers: { Expect: '100-continue', 'Content-Type': 'text/csv', Host: 'evil.example', 'Bad Name': 'x', 'X-Kept': 'y' } });
    expect(request.headers['expect']).toBeUndefined();
    expect(request.headers['host']).toBeUndefined();
    expect(request.headers['bad name']).toBeUndefined();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-kept']).toBe('y');
  });

  it('signs with every secret during a rotation, newest first', () => {
    const other = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const request = buildRequest({ target: target({}), event, deliveryId: 'dlv_ABC', secrets: [other, SECRET], timestampSeconds: 1, userAgent: 'x' });
    const [first, second] = request.headers['webhook-signature']!.split(' ');
    expect(first).toBe(sign(other, 'msg_ABC', 1, request.body!));
    expect(second).toBe(sign(SECRET, 'msg_ABC', 1, request.body!));
  });

  it('signs with ed25519 (v1a) for a whsk_ key, and with both schemes when given both kinds', () => {
    const signingKey = 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=';
    const request = buildRequest({ target: target({}), event, deliveryId: 'dlv_ABC', secrets: [SECRET, signingKey], timestampSeconds: 1, userAgent: 'x' });
    expect(request.headers['webhook-signature']).toBe(`${sign(SECRET, 'msg_ABC', 1, request.body!)} ${sign(signingKey, 'msg_ABC', 1, request.body!)}`);
    expect(request.headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
  });

  it('fieldKey splits aliases', () => {
    expect(fieldKey('call.from')).toEqual({ path: 'call.from', key: 'from' });
    expect(fieldKey('call.from:caller')).toEqual({ path: 'call.from', key: 'caller' });
  });
});
