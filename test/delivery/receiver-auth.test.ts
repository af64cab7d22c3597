import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender } from '../../src/delivery/sender.js';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Authenticating to receivers over real sockets: basic and bearer headers, OAuth 2.0 client
// credentials against a loopback token server (cached, refreshed on a 401, a failed token request
// recorded as error "auth" and retried), and a client certificate to an HTTPS receiver that
// requires one from a CA the test made.

/** A client-credentials token server: counts requests, can fail the next ones, answers tokens tok-1, tok-2… */
interface TokenServer {
  url: string;
  requests: Array<{ authorization: string | undefined; contentType: string | undefined; form: URLSearchParams }>;
  /** The next `count` requests answer 500. */
  failNext(count: number): void;
  /** expires_in of the tokens issued from now on. */
  expiresIn: number;
  close(): Promise<void>;
}

async function startTokenServer(): Promise<TokenServer> {
  let failures = 0;
  const state = { expiresIn: 3600 };
  const requests: TokenServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], form: new URLSearchParams(body) });
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
        return;
      }
      const token = `tok-${requests.length}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: state.expiresIn }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests,
    failNext: (count) => (failures = count),
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(seconds: number) {
      state.expiresIn = seconds;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('authenticating to receivers', () => {
  let server: TestServer;
  let receiver: Receiver;
  let tokens: TokenServer;

  beforeAll(async () => {
    [server, receiver, tokens] = await Promise.all([startServer(), startReceiver(), startTokenServer()]);
    await createEventTypes(server, 'auth.tick');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await tokens?.close();
  });

  async function settled(eventId: string, status: string) {
    return waitFor(async () => {
      const [delivery] = (await server.request('GET', `/v1/deliveries?eventId=${eventId}`)).body.data;
      return delivery?.status === status ? delivery : null;
    }, { timeoutMs: 20_000, what: `delivery of ${eventId} to be ${status}` });
  }

  async function attemptsOf(deliveryId: string): Promise<Json[]> {
    return (await server.request('GET', `/v1/deliveries/${deliveryId}/attempts`)).body.data;
  }

  async function deliver(path: string) {
    const { id } = await postEvent(server, { type: 'auth.tick', payload: { path } });
    return settled(id, 'succeeded');
  }

  it('sends basic and bearer Authorization headers, and records them redacted', async () => {
    await createEndpoint(server, { url: `${receiver.url}/basic`, eventTypes: ['auth.tick'], filter: { path: 'path', in: ['/basic'] }, auth: { type: 'basic', username: 'hookd', password: 'pässword' } });
    await createEndpoint(server, { url: `${receiver.url}/bearer`, eventTypes: ['auth.tick'], filter: { path: 'path', in: ['/bearer'] }, auth: { type: 'bearer', token: 'bearer-token-123' } });
    const basic = await deliver('/basic');
    await deliver('/bearer');
    expect(receiver.requestsTo('/basic')[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hookd:pässword', 'utf8').toString('base64')}`);
    expect(receiver.requestsTo('/bearer')[0]!.headers.authorization).toBe('Bearer bearer-token-123');
    const [attempt] = await attemptsOf(basic.id);
    expect(attempt.requestHeaders.authorization).toBe('[redacted]');
    expect(JSON.stringify(attempt)).not.toContain(Buffer.from('hookd:pässword', 'utf8').toString('base64'));
  });

  describe('OAuth 2.0 client credentials', () => {
    /** The receiver accepts these tokens only. */
    const accepted = new Set<string>();

    beforeAll(() => {
      receiver.script('/oauth', (request) => {
        const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
        return accepted.has(token) ? { status: 200, body: 'ok' } : { status: 401, body: 'bad token' };
      });
    });

    async function oauthEndpoint(path: string, retry?: unknown) {
      return createEndpoint(server, {
        url: `${receiver.url}/oauth`,
        eventTypes: ['auth.tick'],
        filter: { path: 'path', in: [path] },
        auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'hookd client', clientSecret: 's3cret&=', scope: 'hooks:write', audience: 'https://receiver' },
        ...(retry === undefined ? {} : { retry }),
      });
    }

    it('fetches one token (client credentials in HTTP Basic) and uses it across deliveries', async () => {
      const before = tokens.requests.length;
      accepted.add(`tok-${before + 1}`);
      await oauthEndpoint('/cached');
      for (let i = 0; i < 3; i++) await deliver('/cached');
      expect(tokens.requests.length - before).toBe(1);
      const request = tokens.requests[before]!;
      // RFC 6749 §2.3.1: each part form-urlencoded, then Basic.
      expect(request.authorization).toBe(`Basic ${Buffer.from('hookd+client:s3cret%26%3D').toString('base64')}`);
      expect(request.contentType).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(request.form)).toEqual({ grant_type: 'client_credentials', scope: 'hooks:write', audience: 'https://receiver' });
      const sent = receiver.requestsTo('/oauth').slice(-3).map((r) => r.headers.authorization);
      expect(sent).toEqual(Array(3).fill(`Bearer tok-${before + 1}`));
    });

    it('refreshes the token once when the receiver answers 401, and the second answer is the outcome', async () => {
      const before = tokens.requests.length;
      accepted.add(`tok-${before + 1}`);
      await oauthEndpoint('/refresh');
      await deliver('/refresh');
      // The receiver stops accepting the token: the next delivery gets a 401, a new token, a 200.
      accepted.delete(`tok-${before + 1}`);
      accepted.add(`tok-${before + 2}`);
      const delivery = await deliver('/refresh');
      expect(tokens.requests.length - before).toBe(2);
      const attempts = await attemptsOf(delivery.id);
      expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([[200, null]]);
      expect(receiver.requestsTo('/oauth').slice(-2).map((r) => r.headers.authorization)).toEqual([`Bearer tok-${before + 1}`, `Bearer tok-${before + 2}`]);
    });

    it('does not keep a token that expires within 30 s', async () => {
      tokens.expiresIn = 30;
      try {
        const before = tokens.requests.length;
        for (let n = 1; n <= 2; n++) accepted.add(`tok-${before + n}`);
        await oauthEndpoint('/short-lived');
        await deliver('/short-lived');
        await deliver('/short-lived');
        expect(tokens.requests.length - before).toBe(2);
      } finally {
        tokens.expiresIn = 3600;
      }
    });

    it('records a failed token request as error "auth" and retries it like any failure', async () => {
      const before = tokens.requests.length;
      tokens.failNext(1);
      accepted.add(`tok-${before + 2}`);
      await oauthEndpoint('/token-down', { schedule: 'custom', delaysSeconds: [1] });
      const delivery = await deliver('/token-down');
      const attempts = await attemptsOf(delivery.id);
      expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([
        [200, null],
        [null, 'auth'],
      ]);
      expect(tokens.requests.length - before).toBe(2);
    });
  });

  describe('a client certificate (mtls)', () => {
    let certs: TestCertificates;
    let https: HttpsServer;
    let url: string;
    const seen: Array<{ path: string; clientName: string }> = [];

    beforeAll(async () => {
      certs = await makeTestCertificates();
      https = createTlsServer({ key: certs.serverKeyPem, cert: certs.serverCertPem, ca: certs.caPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        seen.push({ path: req.url ?? '', clientName: String(peer.subject?.CN) });
        req.resume();
        req.on('end', () => res.writeHead(200).end('ok'));
      });
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      https?.closeAllConnections();
      await new Promise((resolve) => https?.close(resolve));
    });

    it('delivers with the endpoint certificate to a receiver that requires one', async () => {
      await createEndpoint(server, {
        url: `${url}/mtls`,
        eventTypes: ['auth.tick'],
        filter: { path: 'path', in: ['/mtls'] },
        auth: { type: 'mtls', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem, caPem: certs.caPem },
      });
      await deliver('/mtls');
      expect(seen).toEqual([{ path: '/mtls', clientName: 'client' }]);
    });

    it('fails without a certificate the receiver trusts, and nothing reaches it', async () => {
      await createEndpoint(server, {
        url: `${url}/stranger`,
        eventTypes: ['auth.tick'],
        filter: { path: 'path', in: ['/stranger'] },
        retry: { enabled: false },
        auth: { type: 'mtls', certPem: certs.strangerCertPem, keyPem: certs.strangerKeyPem, caPem: certs.caPem },
      });
      const { id } = await postEvent(server, { type: 'auth.tick', payload: { path: '/stranger' } });
      // Retries off: the one failed attempt ends it.
      const delivery = await settled(id, 'dropped');
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).not.toBeNull();
      expect(seen.map((s) => s.path)).not.toContain('/stranger');
    });

    it('connects through the DNS guard: a name resolving to loopback is refused, like a literal one', async () => {
      const sender = new HttpSender({ allowPrivateUrls: false, connectionsPerOrigin: 2, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
      const port = (https.address() as AddressInfo).port;
      const clientCertificate = { endpointId: 'ep_guard', version: '1', certPem: certs.clientCertPem, keyPem: certs.clientKeyPem, caPem: certs.caPem };
      try {
        for (const target of [`https://receiver.test:${port}/guarded`, `${url}/guarded`]) {
          const sent = await sender.send({ method: 'POST', url: target, headers: {}, body: '{}' }, 5000, { clientCertificate });
          expect(sent.error, target).toBe('url_not_allowed');
        }
        expect(seen.map((s) => s.path)).not.toContain('/guarded');
      } finally {
        await sender.close();
      }
    });
  });
});
