import type { Clock } from '../domain/clock.js';
import { credentialsVersion, readTokenAnswer, tokenRequest, tokenUsableUntil } from '../domain/receiver-auth.js';
import type { EndpointAuth } from '../domain/types.js';
import type { HttpSender } from './sender.js';

// OAuth 2.0 client-credentials tokens for endpoints with `oauth2` auth: fetched through the sender
// (so the URL guard, the DNS guard, timeouts and no redirects apply to the token URL too), kept in
// memory on this node per endpoint and credentials version, used until 30 s before they expire.

type OAuth2Auth = Extract<EndpointAuth, { type: 'oauth2' }>;

export type TokenResult = { ok: true; token: string } | { ok: false; reason: string };

/** Token responses are small JSON, but some JWTs pass the 4 KiB kept of receivers' answers. */
const TOKEN_RESPONSE_KEPT_BYTES = 64 * 1024;

interface Cached {
  version: string;
  token: string;
  usableUntil: number;
}

export class OAuth2Tokens {
  /** By endpoint id: one entry per endpoint, replaced when its credentials change. */
  private readonly cached = new Map<string, Cached>();
  /** Fetches under way, by endpoint id and version: concurrent attempts share one. */
  private readonly fetching = new Map<string, Promise<TokenResult>>();

  constructor(
    private readonly sender: HttpSender,
    private readonly clock: Clock,
  ) {}

  /** A usable token: the cached one, or a new one. */
  token(endpointId: string, auth: OAuth2Auth, timeoutMs: number): Promise<TokenResult> {
    const version = credentialsVersion(auth);
    const cached = this.cached.get(endpointId);
    if (cached !== undefined && cached.version === version && cached.usableUntil > this.clock.now()) {
      return Promise.resolve({ ok: true, token: cached.token });
    }
    return this.fetch(endpointId, version, auth, timeoutMs);
  }

  /**
   * The receiver refused `rejected` (401): a new token, unless another attempt has already replaced
   * it (then that one), so that a burst of 401s makes one token request, not one each.
   */
  refresh(endpointId: string, auth: OAuth2Auth, rejected: string, timeoutMs: number): Promise<TokenResult> {
    const cached = this.cached.get(endpointId);
    if (cached?.token === rejected) this.cached.delete(endpointId);
    return this.token(endpointId, auth, timeoutMs);
  }

  private fetch(endpointId: string, version: string, auth: OAuth2Auth, timeoutMs: number): Promise<TokenResult> {
    const key = `${endpointId} ${version}`;
    let pending = this.fetching.get(key);
    if (pending === undefined) {
      pending = this.request(endpointId, version, auth, timeoutMs).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  private async request(endpointId: string, version: string, auth: OAuth2Auth, timeoutMs: number): Promise<TokenResult> {
    const { url, headers, body } = tokenRequest(auth);
    const sent = await this.sender.send({ method: 'POST', url, headers, body }, timeoutMs, { keepResponseBytes: TOKEN_RESPONSE_KEPT_BYTES });
    if (sent.statusCode === null) return { ok: false, reason: `the token request failed: ${sent.error ?? 'network'}` };
    const answer = readTokenAnswer(sent.statusCode, sent.responseBody);
    if (!answer.ok) return answer;
    const usableUntil = tokenUsableUntil(this.clock.now(), answer.lifetimeSeconds);
    if (usableUntil > this.clock.now()) this.cached.set(endpointId, { version, token: answer.accessToken, usableUntil });
    return { ok: true, token: answer.accessToken };
  }
}
