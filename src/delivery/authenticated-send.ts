import type { Logger } from 'pino';
import { basicAuthorization, credentialsVersion } from '../domain/receiver-auth.js';
import type { OutgoingRequest } from '../domain/request.js';
import type { EndpointWithSecrets } from '../domain/types.js';
import type { OAuth2Tokens } from './oauth2-tokens.js';
import type { HttpSender, SendResult } from './sender.js';

// One attempt's request sent with its endpoint's `auth`: an Authorization header (basic, bearer, an
// OAuth 2.0 token) or the endpoint's client certificate. A token that cannot be had is the
// attempt's failure (`auth`), retried like any other; a 401 to an OAuth token gets one new token
// and one more try, whose answer is the attempt's.

export interface AuthenticatedSender {
  sender: HttpSender;
  tokens: OAuth2Tokens;
  log: Logger;
}

export interface SentWithAuth {
  /** The request as sent, Authorization included (the attempt record redacts it). */
  request: OutgoingRequest;
  sent: SendResult;
}

function withAuthorization(request: OutgoingRequest, value: string): OutgoingRequest {
  // Header names are lower-case in built requests: this replaces any Authorization a user header set.
  return { ...request, headers: { ...request.headers, authorization: value } };
}

export async function sendWithAuth(
  request: OutgoingRequest,
  endpoint: EndpointWithSecrets | null,
  timeoutMs: number,
  { sender, tokens, log }: AuthenticatedSender,
): Promise<SentWithAuth> {
  const auth = endpoint?.auth ?? null;
  // An endpoint that no longer uses a client certificate lets go of its connections.
  if (endpoint !== null && auth?.type !== 'mtls') sender.forgetEndpoint(endpoint.id);
  if (endpoint === null || auth === null) return { request, sent: await sender.send(request, timeoutMs) };
  switch (auth.type) {
    case 'basic': {
      const authorized = withAuthorization(request, basicAuthorization(auth.username, auth.password));
      return { request: authorized, sent: await sender.send(authorized, timeoutMs) };
    }
    case 'bearer': {
      const authorized = withAuthorization(request, `Bearer ${auth.token}`);
      return { request: authorized, sent: await sender.send(authorized, timeoutMs) };
    }
    case 'mtls': {
      const { certPem, keyPem, caPem } = auth;
      const clientCertificate = { endpointId: endpoint.id, version: credentialsVersion(auth), certPem, keyPem, ...(caPem === undefined ? {} : { caPem }) };
      return { request, sent: await sender.send(request, timeoutMs, { clientCertificate }) };
    }
    case 'oauth2': {
      const started = performance.now();
      const unauthorized = (reason: string) => {
        // The reason is a status or an error word, never a credential: operators see why here.
        log.warn({ endpointId: endpoint.id, reason }, 'could not get an OAuth 2.0 token for the receiver');
        return authFailure(started);
      };
      const first = await tokens.token(endpoint.id, auth, timeoutMs);
      if (!first.ok) return { request, sent: unauthorized(first.reason) };
      let authorized = withAuthorization(request, `Bearer ${first.token}`);
      let sent = await sender.send(authorized, timeoutMs);
      if (sent.statusCode === 401) {
        const second = await tokens.refresh(endpoint.id, auth, first.token, timeoutMs);
        if (!second.ok) return { request: authorized, sent: unauthorized(second.reason) };
        authorized = withAuthorization(request, `Bearer ${second.token}`);
        sent = await sender.send(authorized, timeoutMs);
      }
      // The attempt took the token requests and both tries.
      return { request: authorized, sent: { ...sent, durationMs: Math.round(performance.now() - started) } };
    }
  }
}

function authFailure(started: number): SendResult {
  return { statusCode: null, error: 'auth', responseHeaders: {}, responseBody: null, durationMs: Math.round(performance.now() - started) };
}
