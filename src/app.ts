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
import { InflightBodyBudget, inflightBodyBudget } from './api/inflight-body-budget.js';
import { jsonBody } from './api/json-body.js';
import { finiteQueryNumbers } from './api/finite-query-numbers.js';
import { keyRoutes } from './api/keys.js';
import { metricsRoutes } from './api/metrics.js';
import { nulFreeQuery } from './api/nul-free-query.js';
import { openApiDocument } from './api/openapi.js';
import { operationRoutes } from './api/operations.js';
import { publicKeyRoutes } from './api/public-keys.js';
import { requestLog } from './api/request-log.js';
import { serviceRoutes } from './api/service.js';
import { settingsRoutes } from './api/settings.js';
import { webRoutes } from './api/web.js';
import type { Config } from './config.js';
import type { CallbackSecrets } from './delivery/callback-secrets.js';
import type { Clock } from './domain/clock.js';
import type { OperationalEvents } from './ingest/operational-events.js';
import type { Publisher } from './ingest/publisher.js';
import type { HookdMetrics } from './observability/metrics.js';
import type { Operations } from './operations/operations.js';
import type { Store } from './store/store.js';

// Builds the HTTP app: auth, error mapping and every resource's routes, registered in one place.

export interface AppDependencies {
  config: Config;
  store: Store;
  clock: Clock;
  publisher: Publisher;
  log: Logger;
  callbackSecrets: CallbackSecrets;
  operations: Operations;
  metrics: HookdMetrics;
  operational: OperationalEvents;
  /**
   * An endpoint was deleted, or its URL, destination or active flag changed: this node's worker
   * lets go of the connections it held for it (another node's close theirs once idle).
   */
  onEndpointChanged?: (endpointId: string) => void;
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
    // The client's address (failed-authentication throttle) from X-Forwarded-For only behind a trusted
    // proxy, and then its right-most entry, the one that proxy added: entries to its left are what
    // the client sent (nginx's $proxy_add_x_forwarded_for appends), so a client could forge them.
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // Reject unknown fields rather than drop them: a typo such as `eventType` for `eventTypes`
    // must be an error, not a silently ignored setting.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true, discriminator: true, allowUnionTypes: true } },
    forceCloseConnections: true,
    return503OnClosing: true,
  });

  // The API speaks JSON only (a text/plain body is a 415), parsed strictly: see json-body.ts.
  const budget = new InflightBodyBudget(config.maxInflightBodyBytes);
  deps.metrics.observeInflightBodies(budget);
  await app.register(inflightBodyBudget, { budget });
  await app.register(jsonBody);
  await app.register(finiteQueryNumbers);
  await app.register(nulFreeQuery);
  await app.register(requestLog);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  await app.register(openApiDocument);
  await app.register(docsRoutes);

  // Not encapsulated, so that it runs before the routes of every resource registered after it.
  await app.register(authentication, { store, clock });

  // One plugin per resource, each given what it uses through its options.
  await app.register(serviceRoutes, { store });
  await app.register(keyRoutes, { store, clock });
  await app.register(accountRoutes, { store, clock, config });
  await app.register(eventTypeRoutes, { store, clock });
  await app.register(endpointRoutes, { store, clock, config, wakeWorkers: () => publisher.wakeWorkers(), onEndpointChanged: deps.onEndpointChanged });
  await app.register(publicKeyRoutes, { store, clock });
  await app.register(eventRoutes, { store, clock, config, publisher });
  await app.register(endpointOperationRoutes, {
    store,
    clock,
    publisher,
    checkContext: specCheckContext(store, config),
    endpointConcurrency: config.endpointConcurrency,
    onResumed: (endpoint) => deps.operational.endpointResumed(endpoint, 'api'),
  });
  await app.register(deliveryRoutes, { store, clock, onDue: () => publisher.wakeWorkers() });
  await app.register(operationRoutes, { store, clock, config, operations: deps.operations });
  await app.register(settingsRoutes, { callbackSecrets: deps.callbackSecrets });
  await app.register(metricsRoutes, { metrics: deps.metrics, config, store, clock });
  await app.register(webRoutes, { config });
  return app;
}
