import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createLogger } from '../../src/log.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestSchema } from '../support/postgres.js';
import { startServer, type TestServer } from '../support/server.js';

// hookd checks at start that PostgreSQL will vacuum its tables. The machine's server setting is not
// ours to change, so the log is compared with whatever `SHOW autovacuum` says, and the per-table
// switch (autovacuum_enabled), which a test may set on its own schema, is turned off to be sure.

interface LogEntry {
  level: number;
  setting?: string;
  msg: string;
}
const WARN = 40;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startLogged(url: string): Promise<{ server: TestServer; warnings: () => LogEntry[] }> {
  const lines: string[] = [];
  const sink = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((line) => line !== '')) };
  const server = await startServer({ HOOKD_DATABASE_URL: url, HOOKD_ROLE: 'api' }, undefined, undefined, createLogger('info', sink));
  cleanups.push(() => server.close());
  const warnings = () => lines.map((line) => JSON.parse(line) as LogEntry).filter((entry) => entry.level === WARN);
  return { server, warnings };
}

async function schemaWith(setup: (sql: pg.Client) => Promise<void>): Promise<{ url: string; autovacuum: string }> {
  const { url, drop } = await createTestSchema();
  cleanups.push(drop);
  const migrated = new PostgresStore(url, { maxConnections: 1 });
  await migrated.migrate();
  await migrated.close();
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    await setup(sql);
    const autovacuum = (await sql.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum;
    return { url, autovacuum };
  } finally {
    await sql.end();
  }
}

describe('the autovacuum check at start on PostgreSQL', () => {
  it('warns, naming the setting, exactly when the server has autovacuum off', async () => {
    const { url, autovacuum } = await schemaWith(async () => undefined);
    const { warnings } = await startLogged(url);
    const aboutAutovacuum = warnings().filter((entry) => entry.setting === 'autovacuum').map((entry) => entry.msg);
    const expected = autovacuum === 'off' ? [expect.stringMatching(/^PostgreSQL autovacuum is off: .*set autovacuum = on/)] : [];
    expect(aboutAutovacuum).toEqual(expected);
    expect(warnings().filter((entry) => entry.setting === 'autovacuum_enabled')).toEqual([]);
  });

  it('warns, naming the table, when autovacuum is off for one of hookd\'s tables', async () => {
    const { url } = await schemaWith(async (sql) => {
      await sql.query('ALTER TABLE deliveries_queue SET (autovacuum_enabled = false)');
    });
    const { warnings } = await startLogged(url);
    const aboutTables = warnings().filter((entry) => entry.setting === 'autovacuum_enabled');
    expect(aboutTables).toHaveLength(1);
    expect(aboutTables[0]!.msg).toContain('table(s) deliveries_queue ');
    expect(aboutTables[0]!.msg).toContain('RESET (autovacuum_enabled)');
  });
});
