import type { FastifyRequest } from 'fastify';

/** Each value of a request's query string and path parameters, with the location an error names. */
export function* queryAndPathValues(request: FastifyRequest): Generator<[name: string, value: unknown, location: 'query' | 'path']> {
  for (const [values, location] of [
    [request.query, 'query'],
    [request.params, 'path'],
  ] as const) {
    if (values === null || typeof values !== 'object') continue;
    for (const [name, value] of Object.entries(values)) yield [name, value, location];
  }
}
