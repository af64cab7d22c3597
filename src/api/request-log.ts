import fp from 'fastify-plugin';
import type { Logger } from 'pino';

// One line per answered request: at debug for successes (ingest would otherwise double the log
// volume), at info for client errors (a bad key, a refused event: what an operator looks for) and
// warn for server errors (whose cause the error handler logs). The path is logged without its query
// string, and never a header or a body: keys and secrets travel in those.

export const requestLog = fp(
  async (app) => {
    app.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
      // hookd gives Fastify a pino logger (app.ts), whose children answer isLevelEnabled.
      const log = request.log as unknown as Logger;
      if (log.isLevelEnabled(level)) {
        log[level](
          {
            method: request.method,
            path: request.url.split('?', 1)[0]!.slice(0, 256),
            route: request.routeOptions.url,
            statusCode: status,
            responseTimeMs: Math.round(reply.elapsedTime),
            keyId: request.principal?.keyId,
          },
          'request answered',
        );
      }
      done();
    });
  },
  { name: 'hookd-request-log' },
);
