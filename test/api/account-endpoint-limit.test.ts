import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';

// HOOKD_ACCOUNT_MAX_ENDPOINTS caps one account's endpoints (fair shares between accounts, issue 16).

describe('HOOKD_ACCOUNT_MAX_ENDPOINTS', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ HOOKD_ACCOUNT_MAX_ENDPOINTS: '3', HOOKD_STRICT_EVENT_TYPES: 'false' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 409 conflict naming the limit when an account would have one endpoint more', async () => {
    for (let i = 0; i < 3; i++) await createEndpoint(server, { url: `http://127.0.0.1:9/capped-${i}`, accountId: 'capped' });
    const refused = await server.request('POST', '/v1/endpoints', { url: 'http://127.0.0.1:9/capped-4', accountId: 'capped' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toContain('at most 3 endpoints');
    expect(refused.body.error.message).toContain('HOOKD_ACCOUNT_MAX_ENDPOINTS');
    const listed = await server.request('GET', '/v1/endpoints?accountId=capped&limit=100');
    expect(listed.body.data).toHaveLength(3);
  });

  it('counts per account, and not provider-level endpoints', async () => {
    await createEndpoint(server, { url: 'http://127.0.0.1:9/other', accountId: 'other' });
    for (let i = 0; i < 4; i++) await createEndpoint(server, { url: `http://127.0.0.1:9/provider-${i}` });
  });

  it('has room again once an endpoint of the account is deleted', async () => {
    const listed = await server.request('GET', '/v1/endpoints?accountId=capped&limit=100');
    expect((await server.request('DELETE', `/v1/endpoints/${listed.body.data[0].id}`)).status).toBe(204);
    expect((await server.request('POST', '/v1/endpoints', { url: 'http://127.0.0.1:9/capped-again', accountId: 'capped' })).status).toBe(201);
  });
});
