import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

describe('service routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('answers health and readiness without a key', async () => {
    const health = await server.request('GET', '/health', undefined, null);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const ready = await server.request('GET', '/ready', undefined, null);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await server.request('GET', '/openapi.json', undefined, null);
    expect(response.status).toBe(200);
    const paths = Object.keys(response.body.paths);
    for (const path of [
      '/v1/keys',
      '/v1/keys/{id}',
      '/v1/accounts',
      '/v1/accounts/{id}',
      '/v1/event-types',
      '/v1/event-types/{name}',
      '/v1/endpoints',
      '/v1/endpoints/{id}',
      '/v1/endpoints/{id}/secret',
      '/v1/endpoints/{id}/secret/rotate',
      '/v1/events',
      '/v1/events/batch',
      '/v1/events/{id}',
      '/v1/deliveries',
      '/v1/deliveries/{id}',
      '/v1/deliveries/{id}/attempts',
      '/v1/deliveries/{id}/retry',
    ]) {
      expect(paths, path).toContain(path);
    }
    const create = response.body.paths['/v1/endpoints'].post;
    expect(create.requestBody.content['application/json'].schema.properties.url).toBeDefined();
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '422']));
  });

  it('serves the API reference at /docs', async () => {
    const response = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>hookd API reference</title>');
  });

  it('answers unknown routes with the contract\'s 404 body', async () => {
    const response = await server.request('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});
