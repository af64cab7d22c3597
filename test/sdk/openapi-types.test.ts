import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOpenApiTypes } from '../../packages/sdk/scripts/openapi-types.mjs';
import { packageRoot } from '../../src/paths.js';
import { startServer, type TestServer } from '../support/server.js';

// The SDK's types are generated from the running server's /openapi.json and committed. A route
// whose schema changed without regenerating them fails here, before users see the drift.

describe('the SDK types', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('match what the server documents at /openapi.json', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as Record<string, unknown>;
    const committed = readFileSync(join(packageRoot, 'packages/sdk/src/openapi.ts'), 'utf8');
    const regenerated = await renderOpenApiTypes(document);
    expect(committed === regenerated, 'packages/sdk/src/openapi.ts is stale: run `npm run build && npm run generate -w @hookd/sdk`').toBe(true);
  });
});
