import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// Found by the fuzz test (seed 1953545691): `?limit=1e309` became Infinity in Ajv's coercion,
// skipped the range check and reached the database — a 500.

describe('regression: infinite numbers in the query string', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  const lists = ['/v1/keys', '/v1/accounts', '/v1/event-types', '/v1/endpoints', '/v1/events', '/v1/deliveries', '/v1/operations'];

  it('answers 400 naming the field to limit=1e309, -1e309 and Infinity on every list', async () => {
    for (const path of lists) {
      for (const value of ['1e309', '-1e309', 'Infinity', '-Infinity']) {
        const response = await server.request('GET', `${path}?limit=${value}`);
        expect(response.status, `${path}?limit=${value}`).toBe(400);
        expect(response.body.error.code).toBe('validation_failed');
        expect(response.body.error.details[0]).toMatchObject({ field: '/limit', in: 'query' });
      }
    }
  });

  it('still accepts ordinary limits', async () => {
    for (const path of lists) {
      expect((await server.request('GET', `${path}?limit=250`)).status, path).toBe(200);
    }
  });
});
