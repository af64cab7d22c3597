import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The payload is kept as the exact JSON text the publisher sent: `raw` bodies are those bytes,
// `standard` bodies carry them unchanged as `data`, and the signature covers them. JSON.parse would
// lose all of this: 12345678901234567890 becomes 12345678901234567000, 1.0E+2 becomes 100.

const OCCURRED_AT = '2026-11-30T12:00:00.000Z';

/** Whitespace, a big integer, number spellings, an escape, non-ASCII text, keys out of order. */
const PAYLOAD = `{
  "zeta" : 12345678901234567890,
  "alpha":1.0E+2,\t"list": [ 1 , -0.0, 1e-7, 9007199254740993 ],
  "text": "caf\\u00e9 ☕",
  "nested": {"b":true,  "a":null}
}`;

/** The signature a receiver computes over the bytes it got: Standard Webhooks' HMAC-SHA256. */
function signatureIsValid(request: ReceivedRequest, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.${request.body}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return String(request.headers['webhook-signature']).split(' ').includes(expected);
}

describe('exact payload bytes', () => {
  let server: TestServer;
  let receiver: Receiver;
  let raw: { id: string; secret: string };
  let standard: { id: string; secret: string };

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'ledger.posted', 'ledger.batch');
    raw = await createEndpoint(server, { url: `${receiver.url}/raw`, eventTypes: ['ledger.*'], body: { format: 'raw' } });
    standard = await createEndpoint(server, { url: `${receiver.url}/standard`, eventTypes: ['ledger.posted'] });
    // Filters and json bodies still read the parsed value: 1.0E+2 is the number 100 to them, and
    // "caf\u00e9" the text café.
    await createEndpoint(server, {
      url: `${receiver.url}/fields`,
      eventTypes: ['ledger.posted'],
      filter: { path: 'text', in: ['café ☕'] },
      body: { format: 'json', fields: ['alpha', 'nested.a:a'] },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('sends the payload byte for byte in raw and standard bodies, signed over those bytes', async () => {
    const body = `{"type":"ledger.posted",  "occurredAt":"${OCCURRED_AT}",\n "payload" :  ${PAYLOAD}  }`;
    const posted = await server.request('POST', '/v1/events', body);
    expect(posted.status).toBe(202);
    expect(posted.body.deliveries).toBe(3);

    const [rawRequest, standardRequest, fieldsRequest] = await waitFor(() => {
      const got = ['/raw', '/standard', '/fields'].map((path) => receiver.requestsTo(path)[0]);
      return got.every((request) => request !== undefined) ? (got as ReceivedRequest[]) : null;
    }, { what: 'the three deliveries' });

    expect(Buffer.from(rawRequest!.body).equals(Buffer.from(PAYLOAD))).toBe(true);
    const envelope = `{"type":"ledger.posted","timestamp":"${OCCURRED_AT}","data":${PAYLOAD}}`;
    expect(Buffer.from(standardRequest!.body).equals(Buffer.from(envelope))).toBe(true);
    expect(rawRequest!.headers['content-length']).toBe(String(Buffer.byteLength(PAYLOAD)));
    expect(signatureIsValid(rawRequest!, raw.secret)).toBe(true);
    expect(signatureIsValid(standardRequest!, standard.secret)).toBe(true);
    expect(JSON.parse(fieldsRequest!.body)).toEqual({ alpha: 100, a: null });
  });

  it('answers the parsed payload by default and the exact text with ?payload=text', async () => {
    const body = `{"type":"ledger.posted","payload":${PAYLOAD}}`;
    const { id } = (await server.request('POST', '/v1/events', body)).body;
    const parsed = await server.request('GET', `/v1/events/${id}`);
    expect(parsed.status).toBe(200);
    // As JSON.parse reads it (and JSON answers write it: -0.0 is 0, the big integer rounded).
    expect(JSON.stringify(parsed.body.payload)).toBe(JSON.stringify(JSON.parse(PAYLOAD)));
    expect(parsed.body.payload.alpha).toBe(100);
    const text = await server.request('GET', `/v1/events/${id}?payload=text`);
    expect(text.status).toBe(200);
    expect(text.body.payload).toBe(PAYLOAD);
    expect((await server.request('GET', `/v1/events/${id}?payload=xml`)).status).toBe(400);
  });

  it('keeps each batch item\'s payload text as written', async () => {
    const payloads = ['[ 1.50,2 ,3e0 ]', '{"k":  123456789012345678901234567890, "a":{ }}', '"caf\\u00e9"', '-0', '{"payload":{"payload": 1.0}}'];
    const body = `{ "events" : [\n${payloads.map((payload, index) => `  {"payload": ${payload} , "type":"ledger.batch", "id":"batch-${index}"}`).join(',\n')}\n] }`;
    const posted = await server.request('POST', '/v1/events/batch', body);
    expect(posted.status).toBe(202);
    const received = await waitFor(() => {
      const got = receiver.requestsTo('/raw').filter((request) => request.headers['webhook-event-type'] === 'ledger.batch');
      return got.length === payloads.length ? got : null;
    }, { what: 'every batch item delivered' });
    expect(received.map((request) => request.body).sort()).toEqual([...payloads].sort());
    expect(received.every((request) => signatureIsValid(request, raw.secret))).toBe(true);
    for (const [index, payload] of payloads.entries()) {
      expect((await server.request('GET', `/v1/events/batch-${index}?payload=text`)).body.payload).toBe(payload);
    }
  });

  it('counts the 256 KiB payload limit on the text as sent, whitespace included', async () => {
    const padded = `{"a":1${' '.repeat(256 * 1024)}}`;
    const refused = await server.request('POST', '/v1/events', `{"type":"ledger.posted","payload":${padded}}`);
    expect(refused.status).toBe(413);
    expect(JSON.stringify(refused.body)).toContain('/payload');
    const fits = await server.request('POST', '/v1/events', `{"type":"ledger.posted","payload":${padded.slice(0, 200 * 1024)}}}`);
    expect(fits.status).toBe(202);
  });
});
