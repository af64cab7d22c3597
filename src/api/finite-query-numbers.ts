import fp from 'fastify-plugin';
import { validationError } from './errors.js';
import { queryAndPathValues } from './query-and-path-values.js';

// Ajv coerces a query value to a number when the route's schema says number or integer, but it
// accepts the string "Infinity" or "1e309" as the number Infinity and then skips the range checks
// of that keyword (`limit=1e309` passed `maximum: 250` and reached the database as Infinity, a
// 500). After validation every number in the query or path came from such a coercion, so one
// non-finite number there is always an absurd input: a 400 naming the field.

export const finiteQueryNumbers = fp(
  async (app) => {
    app.addHook('preHandler', async (request) => {
      for (const [name, value, location] of queryAndPathValues(request)) {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw validationError(`/${name}`, 'must be a finite number', location);
        }
      }
    });
  },
  { name: 'hookd-finite-query-numbers' },
);
