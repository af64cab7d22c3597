import { createHmac, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// ed25519 (`v1a`) signatures as a receiver meets them: it fetches the endpoint's public keys from
// hookd without a key and verifies with Node's crypto alone, following the Standard Webhooks text
// (nothing of hookd's signing code is used here):
//   signed content = "{webhook-id}.{webhook-timestamp}.{body}"
//   webhook-signature = space-separated "<version>,<base64 signature>" entries
//   v1a = ed25519; the public key is `whpk_` + base64 of its 32 raw bytes.

function publicKeyObject(whpk: string) {
  expect(whpk).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  const raw = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function entries(request: ReceivedRequest, version: string): string[] {
  return String(request.headers['webhook-signature'])
    .split(' ')
    .filter((entry) => entry.startsWith(`${version},`))
    .map((entry) => entry.slice(version.length + 1));
}

function signedContent(request: ReceivedRequest): Buffer {
  return Buffer.from(`${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.${request.body}`);
}

/** Whether a `v1a` entry of the request verifies with this public key. */
function v1aVerifies(request: ReceivedRequest, whpk: string): boolean {
  const key = publicKeyObject(whpk);
  return entries(request, 'v1a').some((signature) => verify(null, signedContent(request), key, Buffer.from(signature, 'base64')));
}

/** Whether a `v1` entry of the request is the HMAC-SHA256 of the content under this secret. */
function v1Verifies(request: ReceivedRequest, whsec: string): boolean {
  const expected = createHmac('sha256', Buffer.from(whsec.slice('whsec_'.length), 'base64')).update(signedContent(request)).digest('base64');
  return entries(request, 'v1').includes(expected);
}

describe('ed25519 signatures and published public keys', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'call.started', 'call.ended', 'call.missed', 'call.held');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** The public keys as any receiver fetches them: no Authorization header at all. */
  async function fetchPublicKeys(endpointId: string) {
    const response = await fetch(`${server.url}/v1/public-keys/${encodeURIComponent(endpointId)}`);
    return { status: response.status, body: (await response.json()) as { keys: Array<{ publicKey: string; since: string; until: string | null }> } };
  }

  it('signs an ed25519 endpoint\'s requests with v1a only, verifiable with the key fetched without an API key', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/ed`, eventTypes: ['call.started'], signing: 'ed25519' });
    expect(endpoint.signing).toBe('ed25519');
    const secret = await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`);
    expect(secret.status).toBe(200);
    expect(secret.body.publicKey).toMatch(/^whpk_/);
    expect(JSON.stringify(secret.body)).not.toContain('whsk_');

    const published = await fetchPublicKeys(endpoint.id);
    expect(published.status).toBe(200);
    expect(published.body).toEqual({ keys: [{ publicKey: secret.body.publicKey, since: expect.any(String), until: null }] });

    await postEvent(server, { type: 'call.started', payload: { callId: 'ed-1', from: 'Zoë' } });
    const request = await waitFor(() => receiver.requestsTo('/ed')[0], { what: 'the ed25519-signed request' });
    expect(String(request.headers['webhook-signature'])).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(v1aVerifies(request, published.body.keys[0]!.publicKey)).toBe(true);
    // Tampering is caught: another body does not verify.
    expect(v1aVerifies({ ...request, body: request.body.replace('ed-1', 'ed-2') }, published.body.keys[0]!.publicKey)).toBe(false);
  });

  it('with both, one header carries a v1 and a v1a entry, each verifying on its own', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/both`, eventTypes: ['call.ended'], signing: 'both' });
    const { publicKey } = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body;
    await postEvent(server, { type: 'call.ended', payload: { callId: 'both-1' } });
    const request = await waitFor(() => receiver.requestsTo('/both')[0], { what: 'the request signed both ways' });
    expect(String(request.headers['webhook-signature']).split(' ').map((entry) => entry.split(',')[0])).toEqual(['v1', 'v1a']);
    expect(v1Verifies(request, endpoint.secret)).toBe(true);
    expect(v1aVerifies(request, publicKey)).toBe(true);
    // An HMAC-only Standard Webhooks library still verifies it (it skips the v1a entry).
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(new Webhook(endpoint.secret).verify(request.body, headers)).toMatchObject({ data: { callId: 'both-1' } });
  });

  it('switching an hmac endpoint to ed25519 by PATCH creates its key pair; test sends are signed with it', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/switch`, eventTypes: ['call.missed'] });
    expect(endpoint.signing).toBe('hmac');
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey).toBeNull();
    expect((await fetchPublicKeys(endpoint.id)).status).toBe(404);

    const patched = await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { signing: 'ed25519' });
    expect(patched.status).toBe(200);
    expect(patched.body.signing).toBe('ed25519');
    const { publicKey } = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body;
    expect(publicKey).toMatch(/^whpk_/);
    expect((await fetchPublicKeys(endpoint.id)).body.keys.map((key) => key.publicKey)).toEqual([publicKey]);

    const tested = await server.request('POST', `/v1/endpoints/${endpoint.id}/test`, {});
    expect(tested.status).toBe(200);
    const request = receiver.requestsTo('/switch')[0]!;
    expect(entries(request, 'v1')).toEqual([]);
    expect(v1aVerifies(request, publicKey)).toBe(true);

    // Back to both and to ed25519 again: the same pair, so receivers keep their key.
    expect((await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { signing: 'both' })).body.signing).toBe('both');
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey).toBe(publicKey);
  });

  it('rotation replaces the key pair too and keeps the old public key listed, and signing, until the grace period ends', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/rotate`, eventTypes: ['call.held'], signing: 'ed25519' });
    const before = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey as string;
    const rotated = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, { graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.publicKey).toMatch(/^whpk_/);
    expect(rotated.body.publicKey).not.toBe(before);
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey).toBe(rotated.body.publicKey);

    const { keys } = (await fetchPublicKeys(endpoint.id)).body;
    expect(keys).toEqual([
      { publicKey: rotated.body.publicKey, since: expect.any(String), until: null },
      { publicKey: before, since: expect.any(String), until: rotated.body.previousSecretExpiresAt },
    ]);
    expect(Date.parse(keys[1]!.since)).toBeLessThanOrEqual(Date.parse(keys[0]!.since));

    await postEvent(server, { type: 'call.held', payload: { callId: 'rot-1' } });
    const request = await waitFor(() => receiver.requestsTo('/rotate')[0], { what: 'the request signed during the grace period' });
    expect(entries(request, 'v1a')).toHaveLength(2);
    expect(v1aVerifies(request, rotated.body.publicKey)).toBe(true);
    expect(v1aVerifies(request, before)).toBe(true);

    // Without a grace period the replaced key is gone at once: unlisted and no longer signing.
    const now = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, { graceSeconds: 0 });
    expect((await fetchPublicKeys(endpoint.id)).body.keys).toEqual([{ publicKey: now.body.publicKey, since: expect.any(String), until: null }]);
  });

  it('the public-key route answers 404 alike for unknown ids and hmac endpoints, and nothing but keys otherwise', async () => {
    const hmac = await createEndpoint(server, { url: `${receiver.url}/private-parts`, accountId: 'acme', title: 'Secret title' });
    const unknown = await fetchPublicKeys('ep_does_not_exist');
    const notSigning = await fetchPublicKeys(hmac.id);
    expect(unknown.status).toBe(404);
    expect(notSigning).toEqual(unknown);

    const signed = await createEndpoint(server, { url: `${receiver.url}/private-parts`, accountId: 'acme', title: 'Secret title', signing: 'both' });
    const response = await fetch(`${server.url}/v1/public-keys/${signed.id}`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['keys']);
    for (const leak of [signed.secret.slice('whsec_'.length), 'whsk_', 'acme', 'Secret title', receiver.url]) expect(text).not.toContain(leak);
    // A key is not needed, and a wrong one changes nothing: the route never looks at it.
    const withBadKey = await server.request('GET', `/v1/public-keys/${signed.id}`, undefined, 'hk_admin_wrong');
    expect(withBadKey.status).toBe(200);
  });

  it('previews show the entries the signing scheme gives', async () => {
    const preview = await server.request('POST', '/v1/endpoints/preview', {
      endpoint: { url: `${receiver.url}/preview`, eventTypes: ['call.started'], signing: 'both' },
      payload: { n: 1 },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
  });

  it('takes the client\'s own key, a bare 32-byte seed or the 64-byte form, on create and on rotation, never returning it', async () => {
    // A key pair made by Node alone: the seed (JWK d) and the public key (JWK x) it gives.
    const pair = () => {
      const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d!, 'base64url');
      const publicKey = Buffer.from(jwk.x!, 'base64url');
      return { seed, publicKey, whpk: `whpk_${publicKey.toString('base64')}` };
    };
    const first = pair();
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/own-key`,
      eventTypes: ['call.held'],
      signing: 'ed25519',
      signingKey: `whsk_${first.seed.toString('base64')}`,
    });
    expect(JSON.stringify(endpoint)).not.toContain('whsk_');
    expect((await fetchPublicKeys(endpoint.id)).body.keys.map((key) => key.publicKey)).toEqual([first.whpk]);
    await postEvent(server, { type: 'call.held', payload: { callId: 'own-1' } });
    const request = await waitFor(() => receiver.requestsTo('/own-key')[0], { what: 'the request signed with the client key' });
    expect(v1aVerifies(request, first.whpk)).toBe(true);

    const second = pair();
    const signingKey = `whsk_${Buffer.concat([second.seed, second.publicKey]).toString('base64')}`;
    const rotated = await server.request('POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, { signingKey, graceSeconds: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.publicKey).toBe(second.whpk);
    expect(JSON.stringify(rotated.body)).not.toContain('whsk_');
  });

  it('refuses a client signing key that is malformed or that the signing scheme would not use, naming the field', async () => {
    const seed = Buffer.alloc(32, 7).toString('base64');
    const spliced = `whsk_${Buffer.concat([Buffer.alloc(32, 7), Buffer.alloc(32, 8)]).toString('base64')}`;
    for (const [body, message] of [
      [{ signing: 'ed25519', signingKey: `whsk_${Buffer.alloc(31).toString('base64')}` }, '32-byte'],
      [{ signing: 'ed25519', signingKey: spliced }, '32-byte'],
      [{ signing: 'ed25519', signingKey: `whsec_${seed}` }, '32-byte'],
      [{ signing: 'hmac', signingKey: `whsk_${seed}` }, 'ed25519 or both'],
    ] as const) {
      const response = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/bad-key`, ...body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.details[0].field).toBe('/signingKey');
      expect(response.body.error.details[0].message).toContain(message);
    }
  });

  it('refuses an unknown signing scheme, naming the field', async () => {
    const response = await server.request('POST', '/v1/endpoints', { url: `${receiver.url}/bad`, signing: 'rsa' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.error)).toContain('signing');
  });
});
