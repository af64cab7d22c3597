import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { createEndpoint } from '../support/fixtures.js';
import { startServer, type Json, type TestServer } from '../support/server.js';

// An endpoint's `auth`: stored, shown without its secret (GET, list, after PATCH), a PATCH without
// the secret keeps the stored one, and every bad field is a 4xx naming it.

const SECRETS = ['p4ss-w0rd-basic', 'bearer-token-xyz', 'client-secret-oauth'];

function refusedField(response: { status: number; body: Json }): string {
  return response.body.error.details[0].field as string;
}

describe('endpoint auth in the API', () => {
  let server: TestServer;
  let certs: TestCertificates;

  beforeAll(async () => {
    [server, certs] = await Promise.all([startServer(), makeTestCertificates()]);
  });
  afterAll(async () => server?.close());

  it('shows each kind without its secret, in GET, list, and after a PATCH', async () => {
    const kinds = [
      { type: 'basic', username: 'hookd', password: SECRETS[0] },
      { type: 'bearer', token: SECRETS[1] },
      { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'hookd', clientSecret: SECRETS[2], scope: 'hooks', audience: 'api' },
      { type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem, caPem: certs.caPem },
    ];
    const ids: string[] = [];
    for (const auth of kinds) {
      const created = await createEndpoint(server, { url: 'https://hooks.example.com/in', accountId: 'auth-view', auth });
      ids.push(created.id);
      expect(created.auth).toEqual(
        auth.type === 'basic' ? { type: 'basic', username: 'hookd' }
        : auth.type === 'bearer' ? { type: 'bearer' }
        : auth.type === 'oauth2' ? { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'hookd', scope: 'hooks', audience: 'api' }
        : { type: 'mtls', certPem: certs.clientCertPem, caPem: certs.caPem },
      );
    }
    const answers = [
      (await server.request('GET', '/v1/endpoints?accountId=auth-view')).body,
      ...(await Promise.all(ids.map(async (id) => (await server.request('GET', `/v1/endpoints/${id}`)).body))),
      ...(await Promise.all(ids.map(async (id) => (await server.request('PATCH', `/v1/endpoints/${id}`, { title: 'renamed' })).body))),
    ];
    const text = JSON.stringify(answers);
    expect(text).toContain('"username":"hookd"');
    for (const secret of [...SECRETS, certs.clientKeyPem]) expect(text).not.toContain(JSON.stringify(secret).slice(1, 40));
    expect(answers.slice(-4).map((answer: Json) => answer.auth.type)).toEqual(['basic', 'bearer', 'oauth2', 'mtls']);
  });

  it('a PATCH without the secret keeps the stored one; a new kind needs its secret', async () => {
    const { id } = await createEndpoint(server, { url: 'https://hooks.example.com/in', auth: { type: 'basic', username: 'a', password: 'kept-password' } });
    const patched = await server.request('PATCH', `/v1/endpoints/${id}`, { auth: { type: 'basic', username: 'b' } });
    expect(patched.status).toBe(200);
    expect(patched.body.auth).toEqual({ type: 'basic', username: 'b' });
    const stored = await server.hookd.store.getEndpoint(id);
    expect(stored?.auth).toEqual({ type: 'basic', username: 'b', password: 'kept-password' });

    const otherKind = await server.request('PATCH', `/v1/endpoints/${id}`, { auth: { type: 'bearer' } });
    expect(otherKind.status).toBe(400);
    expect(refusedField(otherKind)).toBe('/auth/token');

    const cleared = await server.request('PATCH', `/v1/endpoints/${id}`, { auth: null });
    expect(cleared.body.auth).toBeNull();
    expect((await server.hookd.store.getEndpoint(id))?.auth).toBeNull();
  });

  it('previews a draft whose auth has no secret, without an Authorization header', async () => {
    const endpoint = { url: 'https://hooks.example.com/in', auth: { type: 'basic', username: 'u' } };
    const preview = await server.request('POST', '/v1/endpoints/preview', { endpoint, payload: { a: 1 } });
    expect(preview.status).toBe(200);
    expect(Object.keys(preview.body.headers)).not.toContain('authorization');
  });

  it('refuses bad auth with a 400 naming the field', async () => {
    const url = 'https://hooks.example.com/in';
    const cases: Array<[auth: unknown, field: string, endpointUrl?: string]> = [
      [{ type: 'basic', password: 'p' }, '/auth/username'],
      [{ type: 'basic', username: 'u' }, '/auth/password'],
      [{ type: 'basic', username: 'u:v', password: 'p' }, '/auth/username'],
      [{ type: 'bearer', token: 'has space' }, '/auth/token'],
      [{ type: 'bearer', token: 't', extra: 1 }, '/auth/extra'],
      [{ type: 'oauth2', tokenUrl: 'ftp://auth.example.com/token', clientId: 'c', clientSecret: 's' }, '/auth/tokenUrl'],
      [{ type: 'oauth2', tokenUrl: 'not a url', clientId: 'c', clientSecret: 's' }, '/auth/tokenUrl'],
      [{ type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientSecret: 's' }, '/auth/clientId'],
      [{ type: 'mtls', certPem: 'nope', keyPem: certs.clientKeyPem }, '/auth/certPem'],
      [{ type: 'mtls', certPem: certs.clientCertPem, keyPem: 'nope' }, '/auth/keyPem'],
      [{ type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.serverKeyPem }, '/auth/keyPem'],
      [{ type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem, caPem: 'nope' }, '/auth/caPem'],
      [{ type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem }, '/auth/type', 'http://hooks.example.com/in'],
      [{ type: 'kerberos' }, '/auth/type'],
    ];
    for (const [auth, field, endpointUrl] of cases) {
      const response = await server.request('POST', '/v1/endpoints', { url: endpointUrl ?? url, auth });
      expect(response.status, JSON.stringify(auth)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details.map((d: Json) => d.field), JSON.stringify(auth)).toContain(field);
    }
  });

  it('puts the token URL through the URL guard: 422 url_not_allowed naming it', async () => {
    const guarded = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' });
    try {
      const auth = { type: 'oauth2', tokenUrl: 'http://169.254.169.254/token', clientId: 'c', clientSecret: 's' };
      const response = await guarded.request('POST', '/v1/endpoints', { url: 'https://hooks.example.com/in', auth });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('url_not_allowed');
      expect(refusedField(response)).toBe('/auth/tokenUrl');
    } finally {
      await guarded.close();
    }
  });
});
