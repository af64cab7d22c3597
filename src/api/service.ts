import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';

// Liveness and readiness, for load balancers and orchestrators. Public: they reveal nothing.

export interface ServiceRoutesOptions {
  store: Pick<Store, 'isReady'>;
}

export const serviceRoutes: FastifyPluginAsyncTypebox<ServiceRoutesOptions> = async (app, { store }) => {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', version: VERSION }));

  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await store.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
  });
};
