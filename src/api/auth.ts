import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../domain/clock.js';
import { hashApiKey } from '../domain/keys.js';
import type { KeyKind } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { FailedAuthThrottle } from './auth-throttle.js';
import { ApiError } from './errors.js';
import { coalescePerTick } from './coalesce-per-tick.js';

// Who is calling. Every /v1 route names the key kinds it admits (`config.access`); account keys
// are further confined to their own account by the routes (see scope.ts).

export interface Principal {
  keyId: string;
  kind: KeyKind;
  rateLimitPerSecond: number | null;
  /** Set for account keys (and portal sessions): everything they touch is this account's. */
  accountId: string | null;
  name: string | null;
  /** Portal sessions expire; other keys may. */
  expiresAt: number | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The key kinds this route admits; routes without it are public (health, docs). */
    access?: readonly KeyKind[];
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** `lastUsedAt` is written in batches, not on every request: it would double the writes of ingest. */
class KeyUsageRecorder {
  private readonly used = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly flushEveryMs = 2000,
  ) {}

  note(keyId: string): void {
    this.used.add(keyId);
    this.timer ??= setTimeout(() => void this.flush(), this.flushEveryMs).unref();
  }

  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    await this.store.touchKeys(ids, this.clock.now()).catch(() => undefined);
  }
}

/**
 * Per-key request limits: a token bucket per key in this node, refilled at the key's rate, holding
 * up to two seconds' worth (at least 10) so short bursts pass.
 */
class KeyRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /** Null when the request may go; otherwise the seconds to wait. */
  take(principal: Principal, now: number): number | null {
    const rate = principal.rateLimitPerSecond;
    if (rate === null) return null;
    const capacity = Math.max(10, rate * 2);
    const bucket = this.buckets.get(principal.keyId) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(principal.keyId, bucket);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }
}

export interface AuthenticationOptions {
  store: Store;
  clock: Clock;
}

/**
 * Authenticates, authorises and rate-limits every route that names its key kinds. Not encapsulated
 * (fastify-plugin): its hook and the request's `principal` apply to the routes of every plugin.
 */
export const authentication = fp<AuthenticationOptions>(
  async (app, { store, clock }) => {
    const usage = new KeyUsageRecorder(store, clock);
    const limiter = new KeyRateLimiter();
    // Concurrent requests with the same key read it once; a request after a revocation never sees it valid.
    const keys = { findKeyByHash: coalescePerTick((keyHash) => store.findKeyByHash(keyHash)) };
    const throttle = new FailedAuthThrottle();
    app.decorateRequest('principal', null);

    /** `request.ip` is the X-Forwarded-For client only with HOOKD_TRUST_PROXY (fastify's trustProxy). */
    async function authenticateThrottled(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
      const waitSeconds = throttle.waitSeconds(request.ip, clock.now());
      if (waitSeconds !== null) {
        reply.header('retry-after', String(waitSeconds));
        throw new ApiError('rate_limited', `too many failed authentications from this address: retry in ${waitSeconds} s`);
      }
      try {
        return await authenticate(request, keys, clock);
      } catch (error) {
        // Only a key that was sent and refused is a guess; a request without one guesses nothing.
        if (error instanceof ApiError && error.code === 'unauthorized' && bearerToken(request) !== null) {
          throttle.noteFailure(request.ip, clock.now());
        }
        throw error;
      }
    }
    app.addHook('onClose', async () => usage.flush());

    // onRequest, before the body is read: a request without a valid key is refused before it takes
    // a share of the in-flight body budget (inflight-body-budget.ts) or any parsing, so only key
    // holders can fill the budget. Nothing here needs the body.
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const access = request.routeOptions.config.access;
      if (access === undefined) return;
      const principal = await authenticateThrottled(request, reply);
      if (!access.includes(principal.kind)) {
        throw new ApiError('forbidden', `a ${principal.kind} key may not use this route`);
      }
      const waitSeconds = limiter.take(principal, clock.now());
      if (waitSeconds !== null) {
        reply.header('retry-after', String(waitSeconds));
        throw new ApiError('rate_limited', `this key may make ${principal.rateLimitPerSecond} requests per second`);
      }
      request.principal = principal;
      usage.note(principal.keyId);
    });
  },
  { name: 'hookd-authentication' },
);

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(request: FastifyRequest): string | null {
  return BEARER.exec(request.headers.authorization ?? '')?.[1] ?? null;
}

export async function authenticate(request: FastifyRequest, keys: Pick<Store, 'findKeyByHash'>, clock: Clock): Promise<Principal> {
  const token = bearerToken(request);
  if (token === null) throw new ApiError('unauthorized', 'send Authorization: Bearer <key>');
  const key = await keys.findKeyByHash(hashApiKey(token));
  if (key === null || key.revoked) throw new ApiError('unauthorized', 'the key is not valid');
  if (key.expiresAt !== null && key.expiresAt <= clock.now()) throw new ApiError('unauthorized', 'the key has expired');
  return {
    keyId: key.id,
    kind: key.kind,
    accountId: key.accountId,
    rateLimitPerSecond: key.rateLimitPerSecond,
    name: key.name,
    expiresAt: key.expiresAt,
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('route has no access list: principal is not set');
  return request.principal;
}

export const ADMIN_ONLY: readonly KeyKind[] = ['admin'];
export const ADMIN_OR_ACCOUNT: readonly KeyKind[] = ['admin', 'account'];
export const PUBLISHERS: readonly KeyKind[] = ['admin', 'publisher'];
export const ANY_KEY: readonly KeyKind[] = ['admin', 'publisher', 'account'];
