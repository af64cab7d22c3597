import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startServer, tempDir, type TestServer } from '../support/server.js';

// /openapi.json is what SDK generators and API tools read: it must pass Redocly's recommended
// rules with no error and no warning, and declare every error a client can meet.

const REDOCLY = join(packageRoot, 'node_modules', '.bin', 'redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
}

type Document = {
  info: { license?: unknown };
  servers?: Array<{ url: string }>;
  paths: Record<
    string,
    Record<string, { operationId?: string; summary?: string; tags?: string[]; security?: unknown[]; responses: Record<string, unknown> }>
  >;
};

describe('the OpenAPI document', () => {
  let server: TestServer;
  let document: Document;
  beforeAll(async () => {
    server = await startServer();
    document = (await server.request('GET', '/openapi.json', undefined, null)).body as Document;
  });
  afterAll(async () => server?.close());

  it('passes redocly lint with the recommended rules: no error, no warning', async () => {
    const dir = tempDir('hookd-openapi-lint-');
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      // Telemetry and update checks off: the test reaches nothing beyond loopback.
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
      const run = await promisify(execFile)(REDOCLY, ['lint', file, '--extends=recommended', '--format=json'], { env }).catch(
        (error: { stdout: string }) => error,
      );
      const report = JSON.parse(run.stdout) as LintReport;
      const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names its license and a server, and gives each operation an id, a summary, a tag and its errors', () => {
    expect(document.info.license).toMatchObject({ name: 'MIT' });
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, where).toBeTruthy();
        expect(operation.summary, where).toBeTruthy();
        expect(operation.tags?.length, where).toBe(1);
        const statuses = Object.keys(operation.responses);
        if (operation.security?.length === 0) {
          // The routes open to anyone (published public keys) say so, and answer no key errors.
          expect(statuses, where).toContain('400');
          expect(statuses.filter((status) => ['401', '403', '429'].includes(status)), where).toEqual([]);
        } else {
          // Every other route takes a key (401/403) and counts against its rate limit (429).
          expect(statuses, where).toEqual(expect.arrayContaining(['400', '401', '403', '429']));
        }
        // A body that is not JSON is a 415; only GET requests have no body.
        if (method !== 'get') expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
        if (path.includes('{')) expect(statuses, where).toContain('404');
      }
    }
  });
});
