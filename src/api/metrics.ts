import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { HookdMetrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import { authenticate, bearerToken } from './auth.js';
import { ApiError } from './errors.js';

// GET /metrics, for Prometheus. Unlike /health and /ready it needs a credential by default: the
// numbers name endpoints and tell each customer's traffic, and hookd's port often serves the public
// API too. Prometheus sends HOOKD_METRICS_TOKEN (a token good for this route only) or an admin key;
// HOOKD_METRICS_PUBLIC=true drops the check where the port is reachable from a private network only.

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export interface MetricsRoutesOptions {
  metrics: HookdMetrics;
  config: Config;
  store: Pick<Store, 'findKeyByHash'>;
  clock: Clock;
}

export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesOptions> = async (app, { metrics, config, store, clock }) => {
  // Compared as digests, in constant time: the token's length and prefix must not leak either.
  const tokenDigest = config.metricsToken === null ? null : digest(config.metricsToken);

  async function authorize(request: FastifyRequest): Promise<void> {
    if (config.metricsPublic) return;
    const presented = bearerToken(request);
    if (presented !== null && tokenDigest !== null && timingSafeEqual(digest(presented), tokenDigest)) return;
    const principal = await authenticate(request, store, clock);
    if (principal.kind !== 'admin') throw new ApiError('forbidden', 'metrics need HOOKD_METRICS_TOKEN or an admin key');
  }

  // Hidden from /openapi.json like /health and /ready: it is for Prometheus, not for API clients.
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    await authorize(request);
    const body = await metrics.exposition();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(body);
  });
};
