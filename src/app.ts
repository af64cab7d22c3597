import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { accountRoutes } from './api/accounts.js';
import { authentication } from './api/auth.js';
import { deliveryRoutes } from './api/deliveries.js';
import { docsRoutes } from './api/docs.js';
import { endpointOperationRoutes } from './api/endpoint-operations.js';
import { endpointRoutes, specCheckContext } from './api/endpoints.js';
import { errorHandler, notFoundHandler } from './api/errors.js';
import { eventTypeRoutes } from './api/event-types.js';
import { eventRoutes } from './api/events.js';
import { jsonBody } from './api/json-body.js';
import { finiteQueryNumbers } from './api/finite-query-numbers.js';
import { keyRoutes } from './api/keys.js';
import { metricsRoutes } from './api/metrics.js';
import { operationRoutes } from './api/operations.js';
import { requestLog } from './api/request-log.js';
import { serviceRoutes } from './api/service.js';
import { settingsRoutes } from './api/settings.js';
import { webRoutes } from './api/web.js';
import type { Config } from './config.js';
import type { Clock } from './domain/clock.js';
import type { Publisher } from './ingest/publisher.js';
import type { HookdMetrics } from './observability/metrics.js';
import type { Operations } from './operations/operations.js';
import type { Store } from './store/store.js';
import { VERSION } from './version.js';

// Builds the HTTP app: auth, error mapping and every resource's routes, registered in one place.

/** The resources of /openapi.json, in the order a reader meets them. */
const API_TAGS = [
  { name: 'keys', description: 'API keys: admin, publisher and account keys, and what the calling key is.' },
  { name: 'accounts', description: "The provider's customers, their webhooks switch and their portal links." },
  { name: 'event-types', description: 'The event catalog: names, descriptions, payload schemas and examples.' },
  { name: 'endpoints', description: 'Who receives which events, how, and with what retry rules; tests, previews and health.' },
  { name: 'events', description: 'Ingest: each event is fanned out to the endpoints subscribed to its type.' },
  { name: 'deliveries', description: 'One event for one endpoint, its attempts, retries and cancellation.' },
  { name: 'operations', description: 'Long-running actions with a protocol number, whose outcome or timeout sends a webhook.' },
];

export interface AppDependencies {
  config: Config;
  store: Store;
  clock: Clock;
  publisher: Publisher;
  log: Logger;
  callbackSecret: string;
  operations: Operations;
  metrics: HookdMetrics;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, store, clock, publisher } = deps;
  // Typed as the base logger, so the app is the default FastifyInstance: nothing outside needs to
  // know which logger implementation is used.
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    // One line per request would double the log volume of ingest; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Reject unknown fields rather than drop them: a typo such as `eventType` for `eventTypes`
    // must be an error, not a silently ignored setting.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    forceCloseConnections: true,
    return503OnClosing: true,
  });

  // The API speaks JSON only (a text/plain body is a 415), parsed strictly: see json-body.ts.
  await app.register(jsonBody);
  await app.register(finiteQueryNumbers);
  await app.register(requestLog);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookd',
        version: VERSION,
        description: 'Webhooks as a service: the HTTP API (v1).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the document describes the hookd that serves it, whatever its address.
      servers: [{ url: '/', description: 'this hookd' }],
      tags: API_TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, index) => String(json.$id ?? `def-${index}`) },
  });
  await app.register(docsRoutes);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Not encapsulated, so that it runs before the routes of every resource registered after it.
  await app.register(authentication, { store, clock });

  // One plugin per resource, each given what it uses through its options.
  await app.register(serviceRoutes, { store });
  await app.register(keyRoutes, { store, clock });
  await app.register(accountRoutes, { store, clock, config });
  await app.register(eventTypeRoutes, { store, clock });
  await app.register(endpointRoutes, { store, clock, config });
  await app.register(eventRoutes, { store, clock, config, publisher });
  await app.register(endpointOperationRoutes, { store, clock, publisher, checkContext: specCheckContext(store, config) });
  await app.register(deliveryRoutes, { store, clock, onRetry: () => publisher.wakeWorkers() });
  await app.register(operationRoutes, { store, clock, config, operations: deps.operations });
  await app.register(settingsRoutes, { callbackSecret: deps.callbackSecret });
  await app.register(metricsRoutes, { metrics: deps.metrics, config, store, clock });
  await app.register(webRoutes, { config });
  return app;
}
