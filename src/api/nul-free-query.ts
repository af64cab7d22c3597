import fp from 'fastify-plugin';
import { validationError } from './errors.js';
import { queryAndPathValues } from './query-and-path-values.js';

// PostgreSQL text cannot hold U+0000: a query or path value carrying one (`?type=%00`) reached the
// database as a parameter and came back as a 500 there, while SQLite answered. No id, name or
// filter of the API contains it, so it is refused before any store sees it: a 400 naming the field,
// the same on both backends.

export const nulFreeQuery = fp(
  async (app) => {
    app.addHook('preHandler', async (request) => {
      for (const [name, value, location] of queryAndPathValues(request)) {
        const texts = Array.isArray(value) ? value : [value];
        if (texts.some((text) => typeof text === 'string' && text.includes('\u0000'))) {
          throw validationError(`/${name}`, 'must not contain the NUL character', location);
        }
      }
    });
  },
  { name: 'hookd-nul-free-query' },
);
