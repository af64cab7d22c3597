import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Hookd, signWebhook, verifyWebhook, WebhookVerificationError, type WebhookFailure } from '@hookd/sdk';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// verifyWebhook against what hookd really sends, against the reference `standardwebhooks`
// implementation, and against forgeries.

function failureOf(run: () => unknown): WebhookFailure | 'none' {
  try {
    run();
    return 'none';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

describe('verifyWebhook on deliveries from the real server', () => {
  let server: TestServer;
  let receiver: Receiver;
  let hookd: Hookd;

  beforeAll(async () => {
    server = await startServer();
    receiver = await startReceiver();
    hookd = new Hookd({ url: server.url, key: server.adminKey });
    await hookd.eventTypes.create({ name: 'call.incoming' });
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  async function deliveredTo(path: string, definition: Record<string, unknown>, payload: unknown) {
    const endpoint = await hookd.endpoints.create({ url: `${receiver.url}${path}`, eventTypes: ['call.incoming'], ...definition });
    await hookd.events.send({ type: 'call.incoming', payload, correlationId: 'corr-1' });
    const request = await waitFor(() => receiver.requestsTo(path)[0]);
    return { endpoint, request };
  }

  it('accepts a standard POST delivery and returns what it carries', async () => {
    const { endpoint, request } = await deliveredTo('/post', {}, { callId: 'c-1', from: '+33 1 23' });
    const verified = verifyWebhook(endpoint.secret, request.headers, request.body);
    expect(verified).toMatchObject({ id: request.headers['webhook-id'], eventType: 'call.incoming', correlationId: 'corr-1' });
    expect(verified.payload).toMatchObject({ type: 'call.incoming', data: { callId: 'c-1', from: '+33 1 23' } });
    expect(Math.abs(verified.timestamp.getTime() - Date.now())).toBeLessThan(300_000);
    // The same request through fetch's Headers and as raw bytes.
    expect(verifyWebhook(endpoint.secret, new Headers(request.headers as Record<string, string>), Buffer.from(request.body)).id).toBe(verified.id);
    // And the reference implementation agrees.
    expect(new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>)).toEqual(verified.payload);
  });

  it('accepts text bodies and GET deliveries, whose signature covers the request target', async () => {
    const text = await deliveredTo('/text', { body: { format: 'text', template: 'Call {{data.callId}}' } }, { callId: 'c-2' });
    expect(verifyWebhook(text.endpoint.secret, text.request.headers, text.request.body).payload).toBe('Call c-2');

    const get = await deliveredTo('/get', { method: 'GET', queryParams: { call: '{{data.callId}}' } }, { callId: 'c 3' });
    expect(get.request.method).toBe('GET');
    expect(get.request.url).toBe('/get?call=c+3');
    expect(verifyWebhook(get.endpoint.secret, get.request.headers, get.request.url).payload).toBe('/get?call=c+3');
    expect(failureOf(() => verifyWebhook(get.endpoint.secret, get.request.headers, '/get?call=c+4'))).toBe('no_matching_signature');
  });

  it('accepts either secret while a rotation is in its grace period', async () => {
    const { endpoint } = await deliveredTo('/rotating', {}, { callId: 'before' });
    const rotated = await hookd.endpoints.rotateSecret(endpoint.id, { graceSeconds: 600 });
    await hookd.events.send({ type: 'call.incoming', payload: { callId: 'after' } });
    const request = await waitFor(() => receiver.requestsTo('/rotating')[1]);
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(failureOf(() => verifyWebhook(endpoint.secret, request.headers, request.body))).toBe('none');
    expect(failureOf(() => verifyWebhook(rotated.secret, request.headers, request.body))).toBe('none');
    expect(failureOf(() => verifyWebhook(['whsec_' + Buffer.alloc(32, 7).toString('base64'), rotated.secret], request.headers, request.body))).toBe('none');
  });

  it('accepts an ed25519 delivery with the public keys a client without an API key fetches', async () => {
    const { endpoint, request } = await deliveredTo('/ed25519', { signing: 'ed25519' }, { callId: 'ed' });
    const { keys } = await new Hookd({ url: server.url }).endpoints.getPublicKeys(endpoint.id);
    expect(keys).toHaveLength(1);
    expect(verifyWebhook(keys.map((key) => key.publicKey), request.headers, request.body).payload).toMatchObject({ data: { callId: 'ed' } });
    // The HMAC secret alone does not verify it: the request carries no v1 entry.
    expect(failureOf(() => verifyWebhook(endpoint.secret, request.headers, request.body))).toBe('no_matching_signature');
  });

  it('rejects a tampered body, a wrong secret, an old or future timestamp and missing headers', async () => {
    const { endpoint, request } = await deliveredTo('/forged', {}, { amount: 100 });
    const headers = request.headers as Record<string, string>;
    const tampered = request.body.replace('100', '900');
    expect(tampered).not.toBe(request.body);
    expect(failureOf(() => verifyWebhook(endpoint.secret, headers, tampered))).toBe('no_matching_signature');
    expect(failureOf(() => verifyWebhook('whsec_' + Buffer.alloc(32, 1).toString('base64'), headers, request.body))).toBe('no_matching_signature');
    expect(failureOf(() => verifyWebhook(endpoint.secret, { ...headers, 'webhook-id': 'msg_other' }, request.body))).toBe('no_matching_signature');

    const sentAt = Number(headers['webhook-timestamp']) * 1000;
    expect(failureOf(() => verifyWebhook(endpoint.secret, headers, request.body, { now: sentAt + 301_000 }))).toBe('timestamp_too_old');
    expect(failureOf(() => verifyWebhook(endpoint.secret, headers, request.body, { now: new Date(sentAt - 301_000) }))).toBe('timestamp_too_new');
    expect(failureOf(() => verifyWebhook(endpoint.secret, headers, request.body, { now: sentAt + 3_000_000, toleranceSeconds: 3600 }))).toBe('none');

    const { ['webhook-signature']: _signature, ...unsigned } = headers;
    expect(failureOf(() => verifyWebhook(endpoint.secret, unsigned, request.body))).toBe('missing_headers');
    expect(failureOf(() => verifyWebhook(endpoint.secret, { ...headers, 'webhook-timestamp': '12e5' }, request.body))).toBe('invalid_timestamp');
    expect(failureOf(() => verifyWebhook('whsec_not base64!', headers, request.body))).toBe('invalid_secret');
  });
});

describe('verifyWebhook and the reference standardwebhooks implementation', () => {
  const secrets = fc.uint8Array({ minLength: 24, maxLength: 64 }).map((bytes) => 'whsec_' + Buffer.from(bytes).toString('base64'));
  const ids = fc.stringMatching(/^msg_[A-Za-z0-9]{1,40}$/);

  it('accepts what standardwebhooks signs, and standardwebhooks accepts what signWebhook signs', () => {
    fc.assert(
      fc.property(secrets, ids, fc.string({ unit: 'grapheme' }), (secret, id, body) => {
        const now = new Date();
        const timestamp = Math.floor(now.getTime() / 1000);
        const theirs = new Webhook(secret).sign(id, now, body);
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': theirs };
        expect(failureOf(() => verifyWebhook(secret, headers, body))).toBe('none');

        const ours = signWebhook(secret, id, timestamp, body);
        expect(ours).toBe(theirs);
        expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-signature': ours }, { jsonParse: false })).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('finds the valid signature among several, and ignores other versions', () => {
    const secret = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const timestamp = Math.floor(Date.now() / 1000);
    const valid = signWebhook(secret, 'msg_1', timestamp, '{}');
    const headers = (signature: string) => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
    expect(failureOf(() => verifyWebhook(secret, headers(`v1,AAAA v2,xyz ${valid}`), '{}'))).toBe('none');
    expect(failureOf(() => verifyWebhook(secret, headers(valid.replace('v1,', 'v2,')), '{}'))).toBe('no_matching_signature');
    expect(failureOf(() => verifyWebhook(secret, headers('v1,'), '{}'))).toBe('no_matching_signature');
  });
});

describe('verifyWebhook with an ed25519 public key (whpk_, v1a)', () => {
  // The Standard Webhooks reference vector (Go library): this seed signs this message so.
  const seed = Buffer.from('VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=', 'base64');
  const vector = {
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
  };
  // The public key from the seed with Node's own key handling, nothing of hookd's (RFC 8410 PKCS#8 wrapper).
  const vectorPublicKey =
    'whpk_' +
    createPublicKey(createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' }))
      .export({ format: 'der', type: 'spki' })
      .subarray(-32)
      .toString('base64');
  const headersFor = (signature: string, timestamp = vector.timestamp) => ({
    'webhook-id': vector.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  });
  const atVector = { now: vector.timestamp * 1000 };

  it('accepts the reference vector with the public key alone', () => {
    expect(verifyWebhook(vectorPublicKey, headersFor(vector.signature), vector.body, atVector).payload).toEqual({ test: 2432232314 });
  });

  it('refuses altered content, another timestamp, another key, and a v1a signature presented as v1', () => {
    expect(failureOf(() => verifyWebhook(vectorPublicKey, headersFor(vector.signature), vector.body + ' ', atVector))).toBe('no_matching_signature');
    expect(failureOf(() => verifyWebhook(vectorPublicKey, headersFor(vector.signature, vector.timestamp + 1), vector.body, atVector))).toBe(
      'no_matching_signature',
    );
    const otherKey = 'whpk_' + Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64');
    expect(failureOf(() => verifyWebhook(otherKey, headersFor(vector.signature), vector.body, atVector))).toBe('no_matching_signature');
    expect(failureOf(() => verifyWebhook(vectorPublicKey, headersFor(vector.signature.replace('v1a,', 'v1,')), vector.body, atVector))).toBe(
      'no_matching_signature',
    );
    expect(failureOf(() => verifyWebhook(vectorPublicKey, headersFor('v1a,'), vector.body, atVector))).toBe('no_matching_signature');
  });

  it('checks the timestamp as for HMAC signatures', () => {
    expect(failureOf(() => verifyWebhook(vectorPublicKey, headersFor(vector.signature), vector.body))).toBe('timestamp_too_old');
  });

  it('finds the v1a entry in a header that carries both schemes, whichever key the receiver holds', () => {
    const secret = 'whsec_' + Buffer.alloc(32, 3).toString('base64');
    const signingKey = 'whsk_' + seed.toString('base64');
    const timestamp = Math.floor(Date.now() / 1000);
    const both = signWebhook([secret, signingKey], 'msg_both', timestamp, '{"a":1}');
    expect(both).toMatch(/^v1,\S+ v1a,\S+$/);
    const headers = { 'webhook-id': 'msg_both', 'webhook-timestamp': String(timestamp), 'webhook-signature': both };
    expect(verifyWebhook(vectorPublicKey, headers, '{"a":1}').payload).toEqual({ a: 1 });
    expect(verifyWebhook(secret, headers, '{"a":1}').payload).toEqual({ a: 1 });
    expect(verifyWebhook([vectorPublicKey, secret], headers, '{"a":1}').id).toBe('msg_both');
    // The reference HMAC implementation ignores the v1a entry.
    expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });

  it('signWebhook with a whsk_ key reproduces the reference vector, from the 32-byte seed or the 64-byte form', () => {
    const publicBytes = Buffer.from(vectorPublicKey.slice('whpk_'.length), 'base64');
    expect(signWebhook('whsk_' + seed.toString('base64'), vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
    expect(signWebhook('whsk_' + Buffer.concat([seed, publicBytes]).toString('base64'), vector.id, vector.timestamp, vector.body)).toBe(
      vector.signature,
    );
  });

  it.each([
    ['16 bytes', 'whpk_' + Buffer.alloc(16, 1).toString('base64')],
    ['not base64', 'whpk_' + '!'.repeat(44)],
  ])('refuses a public key of %s as invalid_secret', (_why, key) => {
    expect(failureOf(() => verifyWebhook(key, headersFor(vector.signature), vector.body, atVector))).toBe('invalid_secret');
  });
});
