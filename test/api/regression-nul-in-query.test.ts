import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// Found by the fuzz test on PostgreSQL (seed -586868584): `GET /v1/events?type=%00` reached the
// database, whose text cannot hold U+0000 — a 500 there, while SQLite answered.

describe('regression: the NUL character in a query or path value', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('answers 400 naming the field, before any database sees it', async () => {
    for (const [path, field, where] of [
      ['/v1/events?type=%00', '/type', 'query'],
      ['/v1/events?correlationId=a%00b', '/correlationId', 'query'],
      ['/v1/event-types?category=%00', '/category', 'query'],
      ['/v1/endpoints/ep_%00', '/id', 'path'],
      ['/v1/event-types/a%00', '/name', 'path'],
    ] as const) {
      const response = await server.request('GET', path);
      expect(response.status, path).toBe(400);
      expect(response.body.error.details[0], path).toMatchObject({ field, in: where });
    }
  });

  it('still answers ordinary filters', async () => {
    expect((await server.request('GET', '/v1/events?type=call.started')).status).toBe(200);
  });
});
