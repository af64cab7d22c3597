import { describe, expect, it } from 'vitest';
import {
  authView,
  basicAuthorization,
  credentialsVersion,
  mapAuthSecret,
  readTokenAnswer,
  resolveAuth,
  tokenRequest,
  tokenUsableUntil,
} from './receiver-auth.js';
import type { EndpointAuth } from './types.js';

const oauth: Extract<EndpointAuth, { type: 'oauth2' }> = {
  type: 'oauth2',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'id with space',
  clientSecret: 'a:b&c',
  scope: 'read write',
};

describe('receiver auth', () => {
  it('shows every kind without its secret', () => {
    expect(authView({ type: 'basic', username: 'u', password: 'p' })).toEqual({ type: 'basic', username: 'u' });
    expect(authView({ type: 'bearer', token: 't' })).toEqual({ type: 'bearer' });
    expect(authView(oauth)).toEqual({ type: 'oauth2', tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, scope: 'read write' });
    expect(authView({ type: 'mtls', certPem: 'C', keyPem: 'K' })).toEqual({ type: 'mtls', certPem: 'C' });
  });

  it('changes only the secret when sealing or opening', () => {
    expect(mapAuthSecret({ type: 'mtls', certPem: 'C', keyPem: 'K', caPem: 'A' }, (s) => `sealed(${s})`)).toEqual({
      type: 'mtls',
      certPem: 'C',
      keyPem: 'sealed(K)',
      caPem: 'A',
    });
  });

  it.each([
    ['no auth field keeps the stored auth', undefined, { type: 'bearer', token: 'old' }, { type: 'bearer', token: 'old' }],
    ['null removes it', null, { type: 'bearer', token: 'old' }, null],
    ['a new secret replaces it', { type: 'bearer', token: 'new' }, { type: 'bearer', token: 'old' }, { type: 'bearer', token: 'new' }],
    ['no secret, same kind: the stored secret is kept', { type: 'basic', username: 'b' }, { type: 'basic', username: 'a', password: 'p' }, { type: 'basic', username: 'b', password: 'p' }],
    ['no secret, another kind: a problem naming the field', { type: 'bearer' }, { type: 'basic', username: 'a', password: 'p' }, { field: '/auth/token', message: 'is required for bearer' }],
    ['no secret, nothing stored: a problem', { type: 'oauth2', tokenUrl: 'https://a', clientId: 'c' }, null, { field: '/auth/clientSecret', message: 'is required for oauth2' }],
  ] as const)('resolves a PATCH: %s', (_name, input, existing, expected) => {
    expect(resolveAuth(input as never, existing as EndpointAuth | null)).toEqual(expected);
  });

  it('sends client credentials form-urlencoded in HTTP Basic (RFC 6749 §2.3.1)', () => {
    const request = tokenRequest(oauth);
    expect(request.headers.authorization).toBe(basicAuthorization('id+with+space', 'a%3Ab%26c'));
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toBe('grant_type=client_credentials&scope=read+write');
  });

  it.each([
    [200, '{"access_token":"abc","token_type":"Bearer","expires_in":120}', { ok: true, accessToken: 'abc', lifetimeSeconds: 120 }],
    [200, '{"access_token":"abc","token_type":"bearer"}', { ok: true, accessToken: 'abc', lifetimeSeconds: 300 }],
    [200, '{"access_token":"abc","token_type":"DPoP","expires_in":60}', { ok: false, reason: 'the token type is DPoP, not bearer' }],
    [200, '{"access_token":"has space"}', { ok: false, reason: 'the token response has no usable access_token' }],
    [200, 'not json', { ok: false, reason: 'the token response is not JSON' }],
    [401, '{"error":"invalid_client"}', { ok: false, reason: 'the token endpoint answered 401' }],
  ])('reads a token answer %i %s', (status, body, expected) => {
    expect(readTokenAnswer(status, body)).toEqual(expected);
  });

  it('uses a token until 30 s before it expires', () => {
    expect(tokenUsableUntil(1_000_000, 3600)).toBe(1_000_000 + 3_570_000);
    expect(tokenUsableUntil(1_000_000, 30)).toBe(1_000_000);
  });

  it('gives new credentials a new version', () => {
    expect(credentialsVersion(oauth)).toBe(credentialsVersion({ ...oauth }));
    expect(credentialsVersion({ ...oauth, clientSecret: 'other' })).not.toBe(credentialsVersion(oauth));
  });
});
